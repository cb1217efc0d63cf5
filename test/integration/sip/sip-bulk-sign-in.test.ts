// SIP Gateway bulk sign-in over HTTP as Teams delivers it, with the simulated gateway and a
// scripted scenario: 250 rows imported (one bad HardwareId, one duplicate), signed in in EMEA in
// three batches of at most 100, followed to the end by the scheduled job on an injected clock,
// every failure explained, the results exported behind a signed link; and a restart while
// batches run, after which nothing is submitted twice and every batch is followed to the end.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReceivedActivity } from '../../helpers/fake-channel.ts';
import { testProviders, unavailable } from '../../helpers/test-bot.ts';
import { inAdmins, SipChat, text } from './sip-chat.ts';

const hex = (n: number) => n.toString(16).padStart(2, '0').toUpperCase();
const macOf = (index: number) => `02-00-00-51-${hex(index >> 8)}-${hex(index & 0xff)}`;
const offline = [macOf(10), macOf(150)];
const unknownUser = macOf(220);

/** 250 rows, `;`-separated with a BOM: row 100 has a bad HardwareId, row 200 repeats row 5's device. */
function sipCsv(rows = 250): string {
  const lines = ['\uFEFFusername;"HARDWAREID"'];
  for (let index = 0; index < rows; index++) {
    const user = index === 7 ? '=1+1@contoso.com' : `sip-phone${index}@contoso.com`;
    const hardwareId = index === 100 ? '02-00-00-51-ZZ-01' : index === 200 ? macOf(5).toLowerCase().replace(/-/g, ':') : macOf(index);
    lines.push(`${user};${hardwareId}`);
  }
  return lines.join('\r\n');
}

let chat: SipChat;

const adminSays = (message: string) => chat.adminSays(message);
const confirm = (command: string, args: string) => chat.confirm(command, args);
/** One fire of the every-minute jobs, a minute later. */
const nextMinute = () => chat.jobsAt(new Date(chat.clock.now().getTime() + 60_000));
const db = () => chat.db;


describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('SIP Gateway bulk sign-in with the simulated gateway', () => {
    beforeEach(async () => {
      chat = await SipChat.start({ [offline[0]!]: 'Device is offline.', [offline[1]!.toLowerCase()]: 'Device is offline.', [unknownUser]: 'User not found in tenant.' }, undefined, provider);
    });
    afterEach(async () => {
      await chat.close();
    });

    it('imports 250 rows as 248 accepted, signs EMEA in with three batches, ends 245 succeeded and 3 failed with remediations, and exports them', async () => {
      expect(await adminSays('sip region default EMEA')).toMatch(/now go to EMEA/);

      const imported = await adminSays(`sip import ${sipCsv()}`);
      expect(imported).toContain('248 accepted, 1 rejected, 1 duplicates.');
      expect(imported).toMatch(/102[\s\S]*02-00-00-51-ZZ-01[\s\S]*HardwareId/);
      expect(imported).toMatch(/202[\s\S]*02-00-00-51-00-05[\s\S]*the same HardwareId as line 7/);

      // 248 > 100: asked first; nothing sent until confirmed.
      expect(await adminSays('sip signin region EMEA')).toMatch(/Sign in 248 SIP devices\?/);
      expect(await db().sipBatch.count()).toBe(0);
      const started = await confirm('sip', 'signin all region EMEA');
      expect(started).toMatch(/248 accounts in 3 batches/);

      const batches = await db().sipBatch.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
      expect(batches.map((batch) => [batch.region, batch.size, batch.status])).toEqual([['EMEA', 100, 'running'], ['EMEA', 100, 'running'], ['EMEA', 48, 'running']]);
      expect(await db().sipSimulatedBatch.count()).toBe(3);

      // Polled with backoff, not every second: the first look comes 15 s after submission.
      chat.clock.advance(2_000);
      expect((await chat.bot.server.services.sip.signIn.advance()).polled).toBe(0);
      // A look at the first batch mid-way (items finish one by one): its card is posted to the admins channel.
      const isBatchCard = (activity: ReceivedActivity) => inAdmins(activity) && /^SIP batch [0-9a-f-]{36}$/m.test(text(activity));
      expect(await chat.bot.server.services.sip.signIn.poll(batches[0]!.id)).toBe('running');
      const [midway] = await chat.bot.channel.waitFor(1, (activity) => isBatchCard(activity) && activity.method === 'POST', 10_000);
      expect(text(midway)).toMatch(/40 of 100[\s\S]*Still running\n60/);
      await nextMinute();
      await nextMinute();
      expect(await db().sipBatch.count({ where: { status: 'completed' } })).toBe(3);

      const status = await adminSays('sip status');
      expect(status).toContain('245 succeeded, 3 failed, 0 running, 0 waiting, 0 not sent, of 248.');
      expect(status).toMatch(/Device is offline\.[\s\S]*Power the device on/);
      expect(status).toMatch(/User not found in tenant\.[\s\S]*Check the UPN/);
      const failed = await db().sipAccount.findMany({ where: { status: 'failed' } });
      expect(failed.map((account) => account.hardwareId).sort()).toEqual([...offline, unknownUser].sort());

      // The export: a signed link; the CSV has the header and one row per accepted account.
      const exported = await adminSays('sip export');
      const link = /\((http:\/\/[^)]+\/exports\/[^)]+)\)/.exec(exported)?.[1];
      expect(link).toBeDefined();
      const response = await fetch(`${chat.bot.url}${new URL(link!).pathname}`);
      expect(response.status).toBe(200);
      const csv = (await response.text()).replace(/^\uFEFF/, '');
      const lines = csv.trimEnd().split('\r\n');
      expect(lines[0]).toBe('Username,HardwareId,Status,Result,Remediation');
      expect(lines).toHaveLength(1 + 248);
      expect(lines.filter((line) => line.includes('"Succeeded"'))).toHaveLength(245);
      const offlineRow = lines.find((line) => line.includes(offline[0]!));
      expect(offlineRow).toMatch(/^"sip-phone10@contoso.com","02-00-00-51-00-0A","Failed","Device is offline.","Power the device on/);
      // Excel-safe: a value starting with = is text, not a formula.
      expect(lines.find((line) => line.includes('1+1@contoso.com'))).toMatch(/^"'=1\+1@contoso.com"/);

      // The admins channel: one card per batch, the first redrawn in place, and a completion summary each.
      await chat.bot.channel.waitFor(3, (activity) => inAdmins(activity) && activity.method === 'POST' && text(activity).includes('SIP batch completed'), 10_000);
      expect(chat.bot.channel.received.filter((activity) => isBatchCard(activity) && activity.method === 'POST')).toHaveLength(3);
      const [redrawn] = await chat.bot.channel.waitFor(1, (activity) => isBatchCard(activity) && activity.method === 'PUT' && activity.targetActivityId === midway!.assignedId && /completed/.test(text(activity)), 10_000);
      expect(text(redrawn)).toMatch(/100 of 100[\s\S]*Succeeded\n99\nFailed\n1[\s\S]*Device is offline\.[\s\S]*Power the device on[\s\S]*Export[\s\S]*Retry the failed/);
    });

    it('resumes after a restart while batches run: nothing is submitted twice, every batch is followed to the end', async () => {
      await adminSays('sip region default EMEA');
      await adminSays(`sip import ${sipCsv()}`);
      // Batches of 50: five, three running and two waiting their turn.
      await confirm('sip', 'signin all region EMEA size 50');
      expect((await db().sipBatch.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })).map((batch) => batch.status)).toEqual(['running', 'running', 'running', 'waiting', 'waiting']);

      // A fourth batch in the region is refused by the gateway itself.
      await expect(chat.bot.server.services.sip.gateway.submit('tenant-contoso', 'EMEA', [{ username: 'x@contoso.com', hardwareId: macOf(300) }])).rejects.toThrow(/At most 3/);

      chat.clock.advance(60_000);
      await chat.restart();
      await chat.bot.server.jobs.scheduler!.runDue(chat.clock.now());
      // The three were polled (completed) from their stored ids, then the two waiting ones submitted.
      expect((await db().sipBatch.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })).map((batch) => batch.status)).toEqual(['completed', 'completed', 'completed', 'running', 'running']);
      await nextMinute();
      expect(await db().sipBatch.count({ where: { status: 'completed' } })).toBe(5);
      expect(await db().sipSimulatedBatch.count()).toBe(5);
      const gatewayIds = (await db().sipBatch.findMany()).map((batch) => batch.gatewayBatchId);
      expect(new Set(gatewayIds).size).toBe(5);
      expect(await db().sipAccount.groupBy({ by: ['status'], _count: { _all: true } })).toEqual(
        expect.arrayContaining([{ status: 'succeeded', _count: { _all: 245 } }, { status: 'failed', _count: { _all: 3 } }]),
      );
    });
  });
});
