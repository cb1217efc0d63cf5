// The load drill (see test/integration/reliability/load.test.ts): one real server (HTTP, Bot
// Framework adapter, store) takes 1,000 chat messages and then 1,000 device provisions, each
// thousand POSTed all at once. Nothing may fail with a 5xx or an apology, nothing may be stored
// twice or lost, every message gets its one reply, and the outbox holds exactly the domain
// events these actions promise, one each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardOf, cardTexts } from './card-text.ts';
import { callDeviceApi } from './device-api.ts';
import { defaultTenantId } from './fake-channel.ts';
import type { Provider } from '../../prisma/schemas.ts';
import { macsOf, notExactlyOnce } from './reliability.ts';
import { startTestBotOn, unavailable, type TestBot } from './test-bot.ts';

const concurrency = 1_000;
/** Generous: a thousand requests on a slow, shared 2-core machine; the drill is about correctness. */
const drillTimeoutMs = 120_000;
const adminId = '7d0c6c1a-0000-4000-8000-00000000100a';
const admin = { id: '29:load-admin', name: 'Lou Admin', aadObjectId: adminId };
const adminChat = `a:personal-${adminId}`;
const macs = macsOf(0x10, concurrency);
const locationOf = (index: number) => `Floor-${index % 20}`;

/** The domain events of one kind in the outbox, whatever their delivery status. */
async function eventsOf(bot: TestBot, kind: string): Promise<Record<string, unknown>[]> {
  const rows = await bot.server.store.db.outboxMessage.findMany({ where: { tenantId: defaultTenantId, kind }, select: { payload: true } });
  return rows.map((row) => JSON.parse(row.payload) as Record<string, unknown>);
}

/**
 * Errors logged while serving requests or delivering notifications. A scheduled job that fires
 * during the drill may fail its run under the load (it is recorded, and the next fire retries):
 * that is not a request of the drill.
 */
function requestErrors(bot: TestBot): string[] {
  return bot
    .logs()
    .filter((line) => (line.level as number) >= 50 && line.component !== 'jobs')
    .map((line) => `${String(line.msg)}: ${String((line.err as { message?: string } | undefined)?.message ?? line.reason ?? '')}`);
}

/** The drill on one provider: load.test.ts (SQLite) and load-postgresql.test.ts run it, as two files so CI runs them side by side. */
export function loadDrill(provider: Provider): void {
  describe.skipIf(unavailable(provider))(`under load, on ${provider}, one server`, () => {
    let bot: TestBot;

    beforeAll(async () => {
      // The outbox job runs as in production (every 2 s), competing with the load for the store.
      bot = await startTestBotOn(provider, { ADMIN_USER_IDS: adminId, LOG_LEVEL: 'warn' });
    });
    afterAll(async () => {
      await bot?.close();
    });

    it('1,000 concurrent "register" messages: no 5xx, each device stored once, each message answered once, one event each', async () => {
      const activities = macs.map((mac, index) =>
        bot.channel.activity({ type: 'message', text: `register ${mac} ${locationOf(index)}` }, { from: admin, conversationId: adminChat }),
      );
      const answers = await Promise.all(activities.map((activity) => bot.channel.post(activity)));
      expect(answers.filter((answer) => answer.status !== 200).map((answer) => answer.status)).toEqual([]);

      // Every message got exactly one reply, and it is the success card, not an apology.
      const ids = activities.map((activity) => activity.id as string);
      const replies = await bot.channel.waitFor(concurrency, (activity) => activity.conversationId === adminChat && activity.targetActivityId !== null, 30_000);
      expect(notExactlyOnce(ids, replies.map((reply) => reply.targetActivityId))).toEqual([]);
      const failedReplies = replies.filter((reply) => !cardTexts(cardOf(reply)).some((text) => /^Registered 1 of 1/.test(text)));
      expect(failedReplies.map((reply) => reply.body.text ?? cardTexts(cardOf(reply)).join(' '))).toEqual([]);

      // Stored exactly once, where it was said.
      const devices = await bot.server.store.db.device.findMany({ where: { tenantId: defaultTenantId }, select: { mac: true, location: true, state: true } });
      expect(notExactlyOnce(macs, devices.map((device) => device.mac))).toEqual([]);
      const expectedLocation = new Map(macs.map((mac, index) => [mac, locationOf(index)]));
      expect(devices.filter((device) => device.location !== expectedLocation.get(device.mac) || device.state !== 'registered')).toEqual([]);
      expect(await bot.server.store.db.auditEvent.count({ where: { tenantId: defaultTenantId, action: 'device.registered' } })).toBe(concurrency);

      // One devices.registered event per message, naming its one device.
      const registered = await eventsOf(bot, 'devices.registered');
      expect(registered).toHaveLength(concurrency);
      expect(notExactlyOnce(macs, registered.flatMap((event) => event.macs as string[]))).toEqual([]);
      expect(requestErrors(bot)).toEqual([]);
    }, drillTimeoutMs);

    it('1,000 concurrent provisions: no 5xx, each device provisioned once, one device.provisioned event each', async () => {
      // The admin issued the codes beforehand; the service returns their plaintext, as for the hand-off card.
      const report = await bot.server.services.devices.codes.issue({ kind: 'user', id: adminId, name: admin.name }, defaultTenantId, { all: true });
      expect(report.issued).toHaveLength(concurrency);

      const answers = await Promise.all(
        report.issued.map(({ mac, code }) => callDeviceApi(bot.url, 'POST', '/provision', { mac, verificationCode: code, model: 'Load Phone 1' })),
      );
      const notOk = answers.filter((answer) => answer.status !== 200);
      expect(notOk.map((answer) => `${answer.status} ${String(answer.body.code)}`)).toEqual([]);
      const deviceIds = report.issued.map((entry) => entry.deviceId);
      expect(notExactlyOnce(deviceIds, answers.map((answer) => answer.body.deviceId as string))).toEqual([]);
      expect(new Set(answers.map((answer) => answer.body.deviceToken)).size).toBe(concurrency);

      const db = bot.server.store.db;
      expect(await db.device.count({ where: { tenantId: defaultTenantId, state: 'awaiting_sign_in' } })).toBe(concurrency);
      expect(await db.verificationCode.count({ where: { tenantId: defaultTenantId, status: 'used' } })).toBe(concurrency);
      expect(await db.provisioningAttempt.count({ where: { succeeded: true } })).toBe(concurrency);
      expect(await db.provisioningAttempt.count({ where: { succeeded: false } })).toBe(0);
      expect(await db.auditEvent.count({ where: { tenantId: defaultTenantId, action: 'device.provisioned' } })).toBe(concurrency);

      // One codes.issued event for the batch, one device.provisioned event per device.
      expect(await eventsOf(bot, 'codes.issued')).toHaveLength(1);
      const provisioned = await eventsOf(bot, 'device.provisioned');
      expect(notExactlyOnce(deviceIds, provisioned.map((event) => event.deviceId as string))).toEqual([]);

      // The outbox job ran all along, competing for the store: whatever it settled, it settled
      // as sent (the admin's awaiting cards), never dead. Delivering every one of them is the
      // subject of the crash and channel-fault drills, not of this one (it takes a while).
      expect(await db.outboxMessage.count({ where: { status: 'dead' } })).toBe(0);
      expect(requestErrors(bot)).toEqual([]);
    }, drillTimeoutMs);
  });
}
