// The chat benchmark's baseline: a bare botbuilder echo bot on the bot's own server stack
// (restify 11, the same body parser settings, a CloudAdapter with the same authentication
// mode: no MicrosoftAppId, as the benchmark runs the bot). It does no work of its own, so
// what it reaches is the ceiling that botbuilder and restify set on this machine.
// Run as a process of its own (bench/support/child-server.ts), like the bot: PORT, HOST.
// botbuilder is imported here although the product keeps it in bot/teams/: this file is a
// stand-in for "any bot", not part of the product.
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication, type Request as BotRequest, type Response as BotResponse } from 'botbuilder';
import restify from 'restify';

class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity(context.activity.text ?? '');
      await next();
    });
  }
}

const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant', MicrosoftAppTenantId: '' }));
const bot = new EchoBot();
const server = restify.createServer({ name: 'echo-bot', handleUncaughtExceptions: false });
server.use(restify.plugins.bodyParser({ maxBodySize: 1024 * 1024, mapParams: false }));
server.post('/api/messages', async (req, res) => {
  await adapter.process(req as unknown as BotRequest, res as unknown as BotResponse, (context) => bot.run(context));
});
server.get('/healthz', async (_req, res) => {
  res.send(200, { status: 'ok' });
});
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
// Nothing to drain or flush: a baseline just stops.
process.once('SIGTERM', () => process.exit(0));
