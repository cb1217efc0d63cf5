// The Slack door under load: signed `/provision status <MAC>` slash commands from 20 people at
// once to the bot running as its own process (SQLite), answered through a fake Slack Web API on
// loopback (in this process, with the load client). Measured: how fast each request is acknowledged (Slack gives up after 3 s) and how
// long until its reply was posted; and rendering a 500-device hand-off as Block Kit messages.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { splitMessage } from '../../bot/slack/fit-message.ts';
import { renderReply } from '../../bot/slack/render-blocks.ts';
import { view } from '../../bot/views/reply.ts';
import { FakeSlack, testBotToken, testSigningSecret } from '../../test/helpers/fake-slack.ts';
import { atMost, median, percentile, type Benchmark } from '../harness.ts';
import { benchCodeHashSecret, benchMac, registerWithCodes, seedThroughServices } from '../support/fleet-seed.ts';
import { botEntry, processCpuMs, startChildServer } from '../support/child-server.ts';

const concurrency = 20;
const team = 'T0BENCH01';
const admin = { team, id: 'U0BENCH01', name: 'bench' };
const dm = { id: 'D0BENCH01', name: 'directmessage' };

function handoffRenderMs(runs: number): { ms: number[]; messages: number } {
  const devices = Array.from({ length: 500 }, (_, index) => ({ mac: benchMac(index), code: '123456', status: 'waiting on activation', statusStyle: 'default' as const, note: null }));
  const locations = Array.from({ length: 25 }, (_, index) => ({ name: `Floor ${index}`, devices: devices.slice(index * 20, index * 20 + 20) }));
  const handoff = view('codeHandoff', { batchId: 'b', pageKey: 'b', page: '', issuedBy: 'Bench', expiresAt: { instant: new Date().toISOString(), timeZone: 'UTC' }, sentTo: '', lines: [], onlineCount: 0, totalCount: 500, locations, markable: [] });
  const ms: number[] = [];
  let messages = 0;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    messages = splitMessage(renderReply({ view: handoff })).length;
    ms.push(performance.now() - started);
  }
  return { ms, messages };
}

export const slackBenchmark: Benchmark = {
  name: 'slack',
  description: `signed /provision status <MAC> to /api/slack/events of the bot process (SQLite), ${concurrency} concurrent: acknowledgement and reply latency`,
  async run({ quick }) {
    const requests = quick ? 200 : 1000;
    // Like the chat benchmark: the bot's cost per request falls over its first hundreds (JIT).
    const warmUp = quick ? 200 : 1000;
    const devices = 500;
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-slack-'));
    const databaseUrl = `file:${path.join(dir, 'bot.db')}`;
    const slack = await FakeSlack.start();
    try {
      await seedThroughServices(databaseUrl, (services) => registerWithCodes(services, `slack:${team}`, 0, devices));
      const server = await startChildServer(botEntry, {
        cwd: dir,
        env: { DATABASE_URL: databaseUrl, CODE_HASH_SECRET: benchCodeHashSecret, LOG_LEVEL: 'warn', SLACK_SIGNING_SECRET: testSigningSecret, SLACK_BOT_TOKEN: testBotToken, SLACK_API_URL: slack.apiUrl, SLACK_ADMIN_USER_IDS: admin.id },
      });
      await server.answers200('/readyz');
      slack.setBotUrl(server.url);
      const ackMs: number[] = [];
      const replyMs: number[] = [];
      for (let index = 0; index < warmUp; index += concurrency) {
        const posted = slack.callsOf('chat.postMessage').length;
        await Promise.all(Array.from({ length: concurrency }, (_, offset) => slack.slash(`status ${benchMac((index + offset) % devices)}`, admin, dm)));
        await slack.waitFor(posted + concurrency, (call) => call.method === 'chat.postMessage', 30_000);
      }
      const warmPosts = slack.callsOf('chat.postMessage').length;
      let serverCpuMs = 0;
      let clientCpuMs = 0;
      try {
        const cpuBefore = processCpuMs(server.pid);
        const clientBefore = process.cpuUsage();
        let next = 0;
        const worker = async () => {
          while (next < requests) {
            const index = next++;
            const posted = slack.callsOf('chat.postMessage').length;
            const started = performance.now();
            const response = await slack.slash(`status ${benchMac(index % devices)}`, admin, dm);
            ackMs.push(performance.now() - started);
            if (response.status !== 200) throw new Error(`slash command answered ${response.status}`);
            await slack.waitFor(posted + 1, (call) => call.method === 'chat.postMessage', 30_000);
            replyMs.push(performance.now() - started);
          }
        };
        await Promise.all(Array.from({ length: concurrency }, worker));
        await slack.waitFor(warmPosts + requests, (call) => call.method === 'chat.postMessage', 30_000);
        serverCpuMs = processCpuMs(server.pid) - cpuBefore;
        const client = process.cpuUsage(clientBefore);
        clientCpuMs = (client.user + client.system) / 1000;
      } finally {
        await server.stop();
      }
      const render = handoffRenderMs(quick ? 20 : 100);
      if (slack.problems.length > 0) throw new Error(`Block Kit limits broken: ${JSON.stringify(slack.problems.slice(0, 3))}`);
      return [
        {
          name: 'slack',
          database: 'sqlite',
          parameters: { requests, warmUp, concurrency, devices },
          unit: 'ms',
          samples: ackMs,
          details: {
            'ack p99 ms': percentile(ackMs, 99),
            'reply median ms': median(replyMs),
            'reply p95 ms': percentile(replyMs, 95),
            'server CPU ms/request': serverCpuMs / requests,
            'client + fake Slack CPU ms/request': clientCpuMs / requests,
            '500-device hand-off render ms': median(render.ms),
            '500-device hand-off messages': render.messages,
          },
          targets: [atMost(percentile(ackMs, 99), 3000, 'ms acknowledgement p99 (Slack waits 3 s)')],
        },
      ];
    } finally {
      await slack.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
