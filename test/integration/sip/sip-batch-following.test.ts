// How batches are followed (services/sip/sip-sign-in.ts) on a real SQLite store, against a gateway
// that answers what the test says: at most 3 running per region (the rest wait their turn and
// go when one completes), polling backs off while nothing changes, a batch still for 30 minutes
// is reported once, and a batch a crash left "submitting" is never sent again.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createScratchDatabase } from '../../../prisma/schema-engine/index.ts';
import { openStore, type Store } from '../../../prisma/store.ts';
import { createSipServices, type SipServices } from '../../../services/sip/index.ts';
import { SipGatewayError, type SipBatchStatus, type SipGateway } from '../../../services/sip/sip-gateway.ts';
import { ManualClock, minutes } from '../../helpers/manual-clock.ts';
import { postgresServerUrl } from '../../helpers/postgres.ts';
import { testProviders, unavailable } from '../../helpers/test-bot.ts';

const tenantId = 'tenant-follow';

/** A gateway whose batches finish only when the test says so. */
class ScriptedGateway implements SipGateway {
  readonly name = 'scripted';
  answersQuickly = true;
  submitted: { region: string; items: number }[] = [];
  finished = new Map<string, number>();
  completed = new Set<string>();
  failNext: SipGatewayError | null = null;
  async submit(_tenantId: string, region: string, items: readonly unknown[]) {
    const failure = this.failNext;
    this.failNext = null;
    if (failure) throw failure;
    this.submitted.push({ region, items: items.length });
    return { batchId: `gw-${this.submitted.length}` };
  }
  async status(_tenantId: string, batchId: string): Promise<SipBatchStatus> {
    const done = this.finished.get(batchId) ?? 0;
    return { status: this.completed.has(batchId) ? 'Completed' : 'Running', items: Array.from({ length: done }, (_, index) => ({ username: `u${index}`, hardwareId: `none-${index}`, status: 'Success', error: null })) };
  }
}

let store: Store;
let drop: () => Promise<void>;
let clock: ManualClock;
let gateway: ScriptedGateway;
let sip: SipServices;

function list(rows: number): string {
  return ['Username,HardwareId', ...Array.from({ length: rows }, (_, index) => `p${index}@contoso.com,02-00-00-53-${(index >> 8).toString(16).padStart(2, '0')}-${(index & 0xff).toString(16).padStart(2, '0')}`)].join('\n');
}

const batches = () => store.db.sipBatch.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('following SIP batches', () => {
    beforeEach(async () => {
      const database = await createScratchDatabase(provider, provider === 'postgresql' ? postgresServerUrl('sip') : undefined, 'sip_follow');
      store = await openStore(database.url);
      drop = database.drop;
      clock = new ManualClock(new Date('2026-12-07T09:00:00Z'));
      gateway = new ScriptedGateway();
      sip = createSipServices(store.db, clock, gateway);
      await store.db.tenant.create({ data: { id: tenantId } });
      await sip.settings.setDefaultRegion(tenantId, 'EMEA');
    });
    afterEach(async () => {
      await store.close();
      await drop();
    });

    it('runs at most 3 batches per region; the fourth waits and goes when one completes', async () => {
      await sip.signIn.importCsv('user:admin', tenantId, list(350));
      await sip.signIn.signIn(tenantId, {});
      expect((await batches()).map((batch) => batch.status)).toEqual(['running', 'running', 'running', 'waiting']);
      expect(gateway.submitted.map((submitted) => submitted.items)).toEqual([100, 100, 100]);

      clock.advance(minutes(1));
      expect(await sip.signIn.advance()).toMatchObject({ polled: 3, submitted: 0 });
      gateway.completed.add('gw-1');
      clock.advance(minutes(2));
      expect(await sip.signIn.advance()).toMatchObject({ completed: 1, submitted: 1 });
      expect(gateway.submitted.map((submitted) => submitted.items)).toEqual([100, 100, 100, 50]);
    });

    it('backs off while nothing changes (15 s doubling to 5 min), and reports a batch still for 30 minutes once', async () => {
      await sip.signIn.importCsv('user:admin', tenantId, list(10));
      await sip.signIn.signIn(tenantId, {});
      const intervals: number[] = [];
      let stuck = 0;
      for (let poll = 0; poll < 12; poll++) {
        const [batch] = await batches();
        clock.advance(batch!.nextPollAt!.getTime() - clock.now().getTime());
        const before = clock.now().getTime();
        stuck += (await sip.signIn.advance()).stuck;
        const [after] = await batches();
        intervals.push((after!.nextPollAt!.getTime() - before) / 1000);
      }
      expect(intervals.slice(0, 6)).toEqual([30, 60, 120, 240, 300, 300]);
      expect(stuck).toBe(1);
      expect(await store.db.outboxMessage.count({ where: { kind: 'sip.batch_stuck' } })).toBe(1);
    });

    it('a submission the gateway never confirmed fails its accounts with what to check, and is not sent again by itself', async () => {
      await sip.signIn.importCsv('user:admin', tenantId, list(5));
      gateway.failNext = new SipGatewayError('outcome_unknown', 'PowerShell did not answer within 120 s (New-CsSdgBulkSignInRequest).');
      await sip.signIn.signIn(tenantId, {});
      expect((await batches()).map((batch) => batch.status)).toEqual(['refused']);
      const accounts = await store.db.sipAccount.findMany();
      expect(accounts.every((account) => account.status === 'failed' && /may have accepted the batch: check Get-CsSdgBulkSignInRequestsSummary/.test(account.error ?? ''))).toBe(true);
      clock.advance(minutes(5));
      await sip.signIn.advance();
      expect(gateway.submitted).toEqual([]);
      // Unavailable (nothing sent): the batch simply waits for the next turn.
      await store.db.sipAccount.updateMany({ data: { status: 'ready' } });
      gateway.failNext = new SipGatewayError('unavailable', 'Could not start PowerShell at SIP_PWSH_PATH (ENOENT).');
      await sip.signIn.signIn(tenantId, {});
      expect((await batches()).map((batch) => batch.status)).toEqual(['refused', 'waiting']);
      await sip.signIn.advance();
      expect((await batches()).map((batch) => batch.status)).toEqual(['refused', 'running']);
    });

    it('matches the gateway\'s items to accounts whatever form it writes the HardwareId in', async () => {
      await sip.signIn.importCsv('user:admin', tenantId, 'Username,HardwareId\na@contoso.com,1A-2B-3C-D4-E5-F6\nb@contoso.com,1A-2B-3C-D4-E5-F8:002');
      await sip.signIn.signIn(tenantId, {});
      gateway.status = async () => ({
        status: 'completed',
        items: [
          { username: 'a@contoso.com', hardwareId: '1a:2b:3c:d4:e5:f6', status: 'SUCCESS', error: null },
          { username: 'b@contoso.com', hardwareId: '1a2b3cd4e5f8:002', status: 'failed', error: 'Device is offline.' },
        ],
      });
      clock.advance(minutes(1));
      await sip.signIn.advance();
      expect((await store.db.sipAccount.findMany({ orderBy: { line: 'asc' } })).map((account) => [account.status, account.error])).toEqual([['succeeded', null], ['failed', 'Device is offline.']]);
    });

    it('with a slow gateway (PowerShell), sign-in only plans the batches; the follow job submits them', async () => {
      gateway.answersQuickly = false;
      await sip.signIn.importCsv('user:admin', tenantId, list(150));
      const started = await sip.signIn.signIn(tenantId, {});
      expect(started.batches.map((batch) => batch.status)).toEqual(['waiting', 'waiting']);
      expect(gateway.submitted).toEqual([]);
      expect(await sip.signIn.advance()).toMatchObject({ submitted: 2 });
    });

    it('never submits again a batch a crash left "submitting"; after 10 minutes it fails with what to check', async () => {
      await sip.signIn.importCsv('user:admin', tenantId, list(10));
      // The crash: claimed, but the gateway's answer never stored.
      const [account] = await store.db.sipAccount.findMany();
      await store.db.sipBatch.create({ data: { id: 'crashed', tenantId, region: 'EMEA', status: 'submitting', size: 10, createdAt: clock.now(), submittedAt: clock.now() } });
      await store.db.sipAccount.updateMany({ data: { status: 'queued', batchId: 'crashed' } });
      clock.advance(minutes(5));
      await sip.signIn.advance();
      expect(gateway.submitted).toEqual([]);
      expect((await store.db.sipAccount.findUniqueOrThrow({ where: { id: account!.id } })).status).toBe('queued');
      // Ten minutes on it is taken for abandoned: its accounts fail with what to check, its place is freed, still nothing sent.
      clock.advance(minutes(6));
      expect(await sip.signIn.advance()).toMatchObject({ abandoned: 1, submitted: 0 });
      expect(gateway.submitted).toEqual([]);
      expect(await store.db.sipBatch.findUniqueOrThrow({ where: { id: 'crashed' } })).toMatchObject({ status: 'refused' });
      const failed = await store.db.sipAccount.findUniqueOrThrow({ where: { id: account!.id } });
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(/stopped while submitting this batch.*Get-CsSdgBulkSignInRequestsSummary/);
    });
  });
});
