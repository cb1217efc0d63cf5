// Two instances on one PostgreSQL, their clocks driven to the same moments: each expiry
// warning, expiry summary and digest reaches Teams exactly once in total.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../../prisma/schema-engine/index.ts';
import { shownText } from '../../helpers/card-text.ts';
import { ManualClock, hours } from '../../helpers/manual-clock.ts';
import { postgresServerUrl, skipPostgres } from '../../helpers/postgres.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';

const adminId = '0f6c1d2e-1111-4a4a-9b9b-0000000000aa';
const admin = { id: '29:ada', name: 'Ada Admin', aadObjectId: adminId };
const adminChat = `a:personal-${adminId}`;
const technicians = '19:technicians@thread.tacv2';
const managers = '19:managers@thread.tacv2';
const start = new Date('2026-11-22T09:00:00Z');

describe.skipIf(skipPostgres)('two instances on one PostgreSQL', () => {
  let database: ScratchDatabase;
  let first: TestBot;
  let second: TestBot;
  const clocks = [new ManualClock(start), new ManualClock(start)];

  beforeAll(async () => {
    database = await createScratchDatabase('postgresql', postgresServerUrl('two-instance scheduling'), 'jobs');
    const env = { DATABASE_URL: database.url, CODE_HASH_SECRET: 'shared-secret-of-the-two-instances-0000', ADMIN_USER_IDS: adminId };
    first = await startTestBot(env, { clock: clocks[0], outboxIntervalMs: 50 });
    second = await startTestBot(env, { clock: clocks[1], outboxIntervalMs: 50 });
  });

  afterAll(async () => {
    await second?.close();
    await first?.close();
    await database?.drop();
  });

  /** Both instances reach the same moment and fire their jobs for it at once. */
  async function bothAt(moment: Date): Promise<void> {
    for (const clock of clocks) clock.advance(moment.getTime() - clock.now().getTime());
    await Promise.all([first, second].map((bot) => bot.server.jobs.scheduler?.runDue(moment)));
  }

  const channel = () => first.channel;

  it('sends each warning, expiry summary and digest once in total', async () => {
    const say = (text: string, conversationId: string, conversationType: 'personal' | 'channel') =>
      channel().message(text, { from: admin, conversationId, conversationType, mentionBot: conversationType === 'channel', teamId: '19:team@thread.tacv2' });
    await say('setup technicians', technicians, 'channel');
    await say('setup managers', managers, 'channel');
    await say('register 00-04-F2-00-00-01 Lobby\n00-04-F2-00-00-02 Floor 2', adminChat, 'personal');
    await say('codes all', adminChat, 'personal');
    await channel().waitFor(4);

    // 09:00 UTC: the digest for today is due (DIGEST_TIME 08:00 UTC).
    await bothAt(start);
    // T+20 h: the 4 h warning, one per location; T+23 h: the 1 h warning; T+24 h: expiry.
    await bothAt(new Date(start.getTime() + hours(20)));
    await bothAt(new Date(start.getTime() + hours(23)));
    await bothAt(new Date(start.getTime() + hours(24)));
    // Running the same moments again, on both, changes nothing.
    await bothAt(new Date(start.getTime() + hours(20)));
    await bothAt(new Date(start.getTime() + hours(24)));

    // Every event once in the shared outbox, whichever instance ran the job…
    const db = first.server.store.db;
    const count = (kind: string) => db.outboxMessage.count({ where: { kind } });
    expect(await count('codes.expiring')).toBe(4); // 2 locations × (4 h, 1 h)
    expect(await count('codes.expired')).toBe(1); // one summary for the run that expired them
    expect(await count('digest.due')).toBe(2); // 22 and 23 November

    // …and delivered once, whichever instance delivered it: 4 warnings to the technicians and
    // the same 4 to the issuing admin, 1 summary to the admin, 2 digests to the managers.
    const posts = (conversationId: string) => channel().received.filter((activity) => activity.method === 'POST' && activity.conversationId === conversationId);
    const deadline = Date.now() + 20_000;
    while ((await db.outboxMessage.count({ where: { status: { not: 'sent' } } })) > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await db.outboxMessage.count({ where: { status: { not: 'sent' } } })).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 500)); // anything doubled would arrive by now
    // In the technicians channel: the reply to "setup", the hand-off card, then the 4 warnings.
    expect(posts(technicians)).toHaveLength(6);
    expect(posts(technicians).slice(2).every((activity) => /expire/i.test(shownText(activity)))).toBe(true);
    // In the managers channel: the reply to "setup", then the 2 digests.
    expect(posts(managers)).toHaveLength(3);
    expect(posts(managers).slice(1).every((activity) => /digest/i.test(shownText(activity)))).toBe(true);
    // In the admin's chat: the replies to "register" and "codes all", then 4 warnings and 1 summary.
    expect(posts(adminChat)).toHaveLength(7);
  });
});
