// The device-api benchmark's baseline: restify on the bot's server stack (restify 11, the same
// body parser settings) answering POST /api/device/v1/provision with a fixed JSON of the real
// answer's shape. No validation, no store: the ceiling restify itself sets on this machine.
// Run as a process of its own (bench/support/child-server.ts), like the bot: PORT, HOST.
import restify from 'restify';

const answer = { deviceId: '0195f3a2-7c4e-7d1a-9b3c-5e6f7a8b9c0d', deviceToken: 'dvt_static-answer-of-the-baseline-server-000000', tenantName: 'tenant-contoso' };

const server = restify.createServer({ name: 'static-json', handleUncaughtExceptions: false });
server.use(restify.plugins.bodyParser({ maxBodySize: 1024 * 1024, mapParams: false }));
server.post('/api/device/v1/provision', async (_req, res) => {
  res.send(200, answer);
});
server.get('/healthz', async (_req, res) => {
  res.send(200, { status: 'ok' });
});
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
// Nothing to drain or flush: a baseline just stops.
process.once('SIGTERM', () => process.exit(0));
