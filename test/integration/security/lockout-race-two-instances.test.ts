// Issue 12, item 4: two instances on one PostgreSQL (READ COMMITTED). A burst of wrong codes
// for one MAC from one address, sent to both at once, is checked at most lockoutPolicy.maxFailures
// times (the check runs under an advisory lock per MAC); the rest are refused with 429.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../../prisma/schema-engine/index.ts';
import { lockoutPolicy } from '../../../services/devices/attempt-limits.ts';
import { closeDeviceRequestAgents, provisionFrom } from '../../helpers/device-requests.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { postgresServerUrl, skipPostgres } from '../../helpers/postgres.ts';
import { macsOf, tally } from '../../helpers/reliability.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';

const tenantId = 'tenant-contoso';
const admin = { kind: 'user' as const, id: 'aad-ada' };

describe.skipIf(skipPostgres)('two instances on one PostgreSQL: the lockout check', () => {
  let database: ScratchDatabase;
  let first: TestBot;
  let second: TestBot;
  const start = new Date('2026-11-22T09:00:00Z');

  beforeAll(async () => {
    database = await createScratchDatabase('postgresql', postgresServerUrl('two-instance lockout'), 'lockout');
    const env = { DATABASE_URL: database.url, CODE_HASH_SECRET: 'shared-secret-of-the-two-instances-0000' };
    first = await startTestBot(env, { clock: new ManualClock(start) });
    second = await startTestBot(env, { clock: new ManualClock(start) });
  });

  afterAll(async () => {
    closeDeviceRequestAgents();
    await second?.close();
    await first?.close();
    await database?.drop();
  });

  it('a burst of 40 wrong codes for one MAC across both instances checks at most 5', async () => {
    const macs = macsOf(0x6a, 5);
    const devices = first.server.services.devices;
    await devices.registry.register(admin, tenantId, macs.map((mac) => ({ mac, location: 'Lobby' })));
    const issued = await devices.codes.issue(admin, tenantId, { macs });
    const checkedPerBurst: number[] = [];
    const unexpected: number[] = [];
    // Five bursts, one per MAC, each from its own address (under the source limit).
    for (const [round, entry] of issued.issued.entries()) {
      const wrong = entry.code === '000000' ? '000001' : '000000';
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, index) => provisionFrom((index % 2 === 0 ? first : second).url, { mac: entry.mac, verificationCode: wrong }, { localAddress: `127.0.1.${round + 1}` })),
      );
      const statuses = tally(answers.map((answer) => answer.status));
      unexpected.push(...[...statuses.keys()].filter((status) => status !== 401 && status !== 429));
      const checked = await first.server.store.db.provisioningAttempt.count({ where: { mac: entry.mac, succeeded: false } });
      checkedPerBurst.push(checked);
    }
    console.info(`lockout race on two instances: failures recorded per burst of 40: ${checkedPerBurst.join(', ')}; answers other than 401/429: ${unexpected.length}`);
    expect(unexpected).toEqual([]);
    expect(checkedPerBurst).toEqual(macs.map(() => lockoutPolicy.maxFailures));
  }, 60_000);
});
