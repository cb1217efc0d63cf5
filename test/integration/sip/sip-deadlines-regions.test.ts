// SIP sign-in beyond the happy path, over HTTP: regions from the Region column, the location
// and the tenant default; deadline warnings at 48 h and 66 h and "deadline expired" after 72 h,
// each once, through the outbox on an injected clock; on-premises AD throttling answered with a
// retry in smaller batches; the provisioning URLs; the checklist; and bad input that changes nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hours } from '../../helpers/manual-clock.ts';
import { admin, adminChat, inAdmins as inAdminsChannel, SipChat, text } from './sip-chat.ts';
import type { ReceivedActivity } from '../../helpers/fake-channel.ts';
import { teamsCardOf } from '../../helpers/card-text.ts';
import { textsOf } from '../../unit/cards/card-checks.ts';
import { createNotificationPlanner } from '../../../bot/notifications/plan.ts';

const start = new Date('2026-12-07T09:00:00Z');
const throttled = '02-00-00-52-00-03';

let chat: SipChat;

beforeEach(async () => {
  chat = await SipChat.start({ [throttled]: 'On-premises AD throttling: too many requests, try again later.' }, start);
});
afterEach(async () => {
  await chat.close();
});

const inAdmins = (activity: ReceivedActivity) => inAdminsChannel(activity) && activity.method === 'POST';
const adminSays = (message: string) => chat.adminSays(message);
const db = () => chat.db;
const at = (time: Date) => chat.jobsAt(time);
const importIdOf = (reply: string) => /Import\n([0-9a-f-]{36})/.exec(reply)?.[1] ?? '';

describe('SIP regions, deadlines, retries and checks', () => {
  it('gives each account its region: the Region column, else its location\'s, else the tenant default; one batch per region', async () => {
    await adminSays('sip region default APAC');
    await adminSays('sip region location "Berlin HQ" EMEA');
    const reply = await adminSays('sip import Username,HardwareId,Location,Region\nberlin@contoso.com,02-00-00-52-00-01,berlin hq,\nsydney@contoso.com,02-00-00-52-00-02,,\nseattle@contoso.com,02-00-00-52-00-04,Berlin HQ,noam');
    expect(reply).toContain('3 accepted');
    expect(reply).toMatch(/APAC 1|EMEA 1|NOAM 1/);
    const accounts = await db().sipAccount.findMany({ orderBy: { line: 'asc' } });
    expect(accounts.map((account) => account.region)).toEqual(['EMEA', 'APAC', 'NOAM']);
    // Three accounts: no confirmation needed.
    expect(await adminSays('sip signin')).toMatch(/3 accounts in 3 batches/);
    expect((await db().sipBatch.findMany()).map((batch) => batch.region).sort()).toEqual(['APAC', 'EMEA', 'NOAM']);
    // A newer import: "sip status" shows it, and the batches still open in the older one.
    await adminSays('sip import Username,HardwareId\nlater@contoso.com,02-00-00-52-00-07');
    const status = await adminSays('sip status');
    expect(status).toMatch(/0 succeeded, 0 failed, 0 running, 0 waiting, 1 not sent, of 1\.[\s\S]*Still open in other imports[\s\S]*EMEA\nrunning/);
  });

  it('the import dialog imports exactly as the typed command does', async () => {
    await adminSays('sip region default NOAM');
    const response = await chat.bot.channel.dialog('submit', { dialog: 'sip', csv: 'Username;HardwareId\nlobby@contoso.com;1a:2b:3c:d4:e5:f6:001' }, { from: admin, conversationId: adminChat });
    expect(response.status).toBe(200);
    expect(JSON.stringify(response.body)).toContain('1 accepted, 0 rejected, 0 duplicates.');
    expect(await db().sipAccount.findMany({ select: { hardwareId: true, region: true } })).toEqual([{ hardwareId: '1A-2B-3C-D4-E5-F6:001', region: 'NOAM' }]);
  });

  it('without a region anywhere, the row is rejected with what to do', async () => {
    expect(await adminSays('sip import Username,HardwareId\nlost@contoso.com,02-00-00-52-00-09')).toMatch(/no region: add a Region column[\s\S]*sip region default EMEA/);
    expect(await db().sipAccount.count()).toBe(0);
  });

  it('warns at 48 h and 66 h after onboarding and says "deadline expired" after 72 h, each once', async () => {
    await adminSays('sip region default EMEA');
    await adminSays('sip import Username;HardwareId;Onboarded\nlate1@contoso.com;02-00-00-52-00-11;2026-12-07 09:00\nlate2@contoso.com;02-00-00-52-00-12;2026-12-07 09:00');
    const deadlineCards = () => chat.bot.channel.received.filter((activity) => inAdmins(activity) && /SIP sign-in deadline/.test(text(activity)));

    await at(new Date(start.getTime() + hours(47)));
    expect(await db().outboxMessage.count({ where: { kind: 'sip.deadline' } })).toBe(0);

    await at(new Date(start.getTime() + hours(48)));
    await chat.bot.channel.waitFor(1, (activity) => deadlineCards().includes(activity), 10_000);
    expect(text(deadlineCards()[0])).toMatch(/2 SIP devices must be signed in by .*10 Dec.*\(48 h after onboarding now\)/);
    await at(new Date(start.getTime() + hours(48) + 5 * 60_000));
    await at(new Date(start.getTime() + hours(66)));
    await chat.bot.channel.waitUntil(() => deadlineCards().length === 2, 'the 66 h warning', 10_000);
    expect(text(deadlineCards()[1])).toMatch(/66 h after onboarding/);

    await at(new Date(start.getTime() + hours(72)));
    await chat.bot.channel.waitUntil(() => deadlineCards().length === 3, 'the expiry notice', 10_000);
    expect(text(deadlineCards()[2])).toContain('deadline expired: factory reset and onboard again');
    await at(new Date(start.getTime() + hours(80)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(deadlineCards()).toHaveLength(3);
    expect(await db().outboxMessage.count({ where: { kind: 'sip.deadline' } })).toBe(3);
  });

  it('records the onboarding time the admin states, and refuses one in the future', async () => {
    await adminSays('sip region default EMEA');
    const importId = importIdOf(await adminSays('sip import Username,HardwareId\na@contoso.com,02-00-00-52-00-21\nb@contoso.com,02-00-00-52-00-22'));
    expect(await adminSays(`sip onboarded ${importId} 2026-12-07 08:30`)).toMatch(/Recorded: the 2 devices of import .* were onboarded at 2026-12-07T08:30:00.000Z/);
    expect((await db().sipAccount.findMany()).map((account) => account.onboardedAt?.toISOString())).toEqual(['2026-12-07T08:30:00.000Z', '2026-12-07T08:30:00.000Z']);
    expect(await adminSays(`sip onboarded ${importId} 2030-01-01 00:00`)).toMatch(/That time is in the future/);
    expect(await adminSays(`sip onboarded ${importId} yesterday-ish`)).toMatch(/is not a time: write "now", or 2026-12-07 09:30 \(UTC\)/);
    expect((await db().sipAccount.findMany()).map((account) => account.onboardedAt?.toISOString())).toEqual(['2026-12-07T08:30:00.000Z', '2026-12-07T08:30:00.000Z']);
  });

  it('on-premises AD throttling is explained and offered as a retry in smaller batches, which signs the failed ones in again', async () => {
    await adminSays('sip region default EMEA');
    const imported = await adminSays('sip import Username,HardwareId\na@contoso.com,02-00-00-52-00-01\nb@contoso.com,02-00-00-52-00-02\nc@contoso.com,02-00-00-52-00-03');
    const importId = importIdOf(imported);
    await adminSays(`sip signin ${importId}`);
    await at(new Date(start.getTime() + 60_000));
    const status = await adminSays('sip status');
    expect(status).toContain('2 succeeded, 1 failed');
    expect(status).toMatch(/On-premises AD throttling[\s\S]*retry with a smaller batch/);
    const [card] = await chat.bot.channel.waitFor(1, (activity) => inAdmins(activity) && /^SIP batch [0-9a-f-]{36}$/m.test(text(activity)), 10_000);
    expect(text(card)).toMatch(/On-premises AD throttling[\s\S]*Retry in batches of 20/);

    expect(await adminSays(`sip retry ${importId} size 20`)).toMatch(/1 accounts in 1 batch/);
    const retried = await db().sipAccount.findFirstOrThrow({ where: { hardwareId: throttled } });
    expect(retried.status).toBe('running');
    expect(await db().sipBatch.count()).toBe(2);
    expect(await adminSays('sip retry')).toMatch(/No failed account to retry/);
    // One batch by its id: its card.
    const [first] = await db().sipBatch.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    expect(await adminSays(`sip status ${first!.id}`)).toMatch(new RegExp(`SIP batch ${first!.id}[\\s\\S]*Succeeded\\n2\\nFailed\\n0`));
  });

  it('a stuck batch is said once, to the admins channel, with when it last moved', async () => {
    await adminSays('sip region default EMEA');
    await adminSays('sip import Username,HardwareId\na@contoso.com,02-00-00-52-00-01');
    await adminSays('sip signin');
    const [batch] = await db().sipBatch.findMany();
    const plan = createNotificationPlanner(chat.bot.server.services);
    const event = { kind: 'sip.batch_stuck' as const, tenantId: 'tenant-contoso', batchId: batch!.id, since: start.toISOString() };
    const deliveries = await plan(event);
    expect(deliveries.map((delivery) => delivery.conversation.conversationId)).toEqual(['19:admins@thread.tacv2']);
    expect(textsOf(teamsCardOf(deliveries[0]?.message)).join('\n')).toMatch(/SIP batch stuck[\s\S]*has made no progress since Mon 7 Dec, 09:00/);
    // A retried delivery has the same key: the outbox sends it once.
    expect((await plan(event)).map((delivery) => delivery.key)).toEqual(deliveries.map((delivery) => delivery.key));
  });

  it('lists the provisioning URLs per region and device kind, and keeps the prerequisites checklist', async () => {
    const urls = await adminSays('sip urls');
    expect(urls).toContain('http://emea.ipp.sdg.teams.microsoft.com/tenantid/tenant-contoso');
    expect(urls).toContain('http://noam.ipp.sdg.teams.microsoft.com/tenantid/tenant-contoso/$PSN.xml');
    expect(urls).toContain('http://apac.ipp.sdg.teams.microsoft.com/tenantid/tenant-contoso/mac.ini');
    expect(urls).toContain('/mac.cfg');
    expect(urls).toContain('/$mac.cfg');

    expect(await adminSays('sip check')).toMatch(/0 of 7 prerequisites ticked; gateway adapter: simulated/);
    const ticked = await adminSays('sip check done trusted-ips');
    expect(ticked).toMatch(/1 of 7 prerequisites ticked/);
    expect(ticked).toMatch(/✔\nTrusted IPs set at least 24 h before\ntrusted-ips\nticked .*; wait until .* before signing in/);
    expect(await adminSays('sip check done mfa-off')).toMatch(/No prerequisite "mfa-off"\. Tick one of: trusted-ips/);

    // An accepted batch proves the runner's role: the gateway reports it.
    await adminSays('sip region default EMEA');
    await adminSays('sip import Username,HardwareId\na@contoso.com,02-00-00-52-00-01');
    await adminSays('sip signin');
    expect(await adminSays('sip check')).toMatch(/2 of 7 prerequisites ticked[\s\S]*The runner's role\nrunner-role\nreported by the gateway Mon 7 Dec, 09:00/);
  });

  it('bad input gets a sentence that says what to type, and changes nothing', async () => {
    expect(await adminSays('sip signin region MARS')).toMatch(/after "region" write one of NOAM, EMEA, APAC/);
    expect(await adminSays('sip frobnicate')).toMatch(/"frobnicate" is not a sip verb/);
    expect(await adminSays('sip import Name,Phone\nx,y')).toMatch(/No Username and HardwareId column in the header/);
    expect(await adminSays('sip status')).toMatch(/No SIP list imported yet/);
    expect(await db().sipImport.count()).toBe(0);
    expect(await db().sipSettings.count()).toBe(0);
  });
});
