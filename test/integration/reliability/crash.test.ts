// Crash drill, import: the bot runs as a real process (node bot/start.mjs, as `npm start` runs it) on a
// SQLite file and is killed with SIGKILL (no shutdown, no flush) in the middle of a
// 10,000-row CSV import an admin sent in chat, then started again on the same file.
//
// What the bot promises: an import is one transaction. After a kill it is all there or not
// there at all, with its audit trail and its outbox event; /readyz answers 200 after the
// restart; the admin can simply send the file again. Notifications across a kill:
// crash-outbox.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../prisma/store.ts';
import { cardOf, cardTexts } from '../../helpers/card-text.ts';
import { cleanUpRigs, crashAdmin as admin, crashAdminChat as adminChat, kill9, newRig, startLife, type Rig } from '../../helpers/crash-rig.ts';
import type { SendResult } from '../../helpers/fake-channel.ts';
import { eventually, macsOf, notExactlyOnce, sleep, SqliteWriteLockProbe } from '../../helpers/reliability.ts';

const importRows = 10_000;

afterEach(cleanUpRigs);

describe('kill -9 in the middle of a 10,000-row CSV import', () => {
  const csvOf = (macs: readonly string[], site: string) => `MAC address,Location\r\n${macs.map((mac) => `${mac},${site}\r\n`).join('')}`;

  /** Sends "import" with the file attached, as an admin does in personal chat; resolves with the answer, or the error when the bot died. */
  function sendImport(rig: Rig, file: string, csv: string): Promise<SendResult | Error> {
    const attachment = rig.channel.attachFile(file, csv);
    const activity = rig.channel.activity({ type: 'message', text: 'import', attachments: [attachment] }, { from: admin, conversationId: adminChat });
    return rig.channel.post(activity).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  }

  /** All or nothing, and the audit trail and outbox agree with the devices. */
  async function expectAllOrNothing(store: Store, macs: readonly string[]): Promise<'all' | 'none'> {
    const devices = await store.db.device.findMany({ where: { mac: { in: [...macs] } }, select: { id: true, mac: true } });
    const audits = await store.db.auditEvent.findMany({ where: { deviceId: { in: devices.map((device) => device.id) }, action: 'device.registered' }, select: { deviceId: true } });
    const events = (await store.db.outboxMessage.findMany({ where: { kind: 'devices.registered' }, select: { payload: true } }))
      .map((row) => (JSON.parse(row.payload) as { macs: string[] }).macs)
      .filter((eventMacs) => eventMacs.some((mac) => macs.includes(mac)));
    expect([0, macs.length]).toContain(devices.length);
    if (devices.length === 0) {
      expect(audits).toHaveLength(0);
      expect(events).toHaveLength(0);
      return 'none';
    }
    expect(notExactlyOnce(macs, devices.map((device) => device.mac))).toEqual([]);
    expect(notExactlyOnce(devices.map((device) => device.id), audits.map((audit) => audit.deviceId))).toEqual([]);
    expect(events).toHaveLength(1);
    expect(notExactlyOnce(macs, events[0]!)).toEqual([]);
    return 'all';
  }

  /** Polls the store's write lock until the bot has held it for 20 ms on end: a write transaction, not a one-row write. */
  async function writeTransactionSeen(probe: SqliteWriteLockProbe, settled: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let heldSince: number | null = null;
    while (Date.now() < deadline && !settled()) {
      if (await probe.writerActive()) {
        heldSince ??= Date.now();
        if (Date.now() - heldSince >= 20) return true;
      } else {
        heldSince = null;
      }
      await sleep(2);
    }
    return false;
  }

  type Moment = 'download done' | 'in the write transaction' | 'half-way' | 'near the end';
  const moments: Moment[] = ['download done', 'in the write transaction', 'half-way', 'near the end'];

  it('at four moments (download done, inside the write transaction, half-way, near the end): after the restart the import is all there or none of it, /readyz is 200, and sending it again imports it', async ({ annotate }) => {
    const rig = await newRig();
    await startLife(rig);
    const store = await openStore(`file:${rig.databaseFile}`);
    const probe = await SqliteWriteLockProbe.open(rig.databaseFile);
    try {
      const outcomes: string[] = [];
      let fullImportMs: number | null = null;
      let killedInsideTransaction = 0;

      for (const [round, moment] of moments.entries()) {
        const macs = macsOf(0x30 + round, importRows);
        const csv = csvOf(macs, `Site ${round}`);
        // Nothing else is writing (the last import's event is settled): the write lock seen is the import's.
        await eventually(async () => (await store.db.outboxMessage.count({ where: { status: 'pending' } })) === 0, 'the outbox to be idle', 20_000);

        const life = rig.lives.at(-1)!;
        let settled = false;
        const answer = sendImport(rig, `round-${round}.csv`, csv).finally(() => (settled = true));
        await rig.channel.waitUntil(() => rig.channel.downloads.includes(`round-${round}.csv`) || settled, 'the bot to download the file', 30_000);
        if (!rig.channel.downloads.includes(`round-${round}.csv`)) {
          const last = rig.channel.received.at(-1);
          throw new Error(`the bot answered the import without downloading the file: ${JSON.stringify(await answer)} ${last ? cardTexts(cardOf(last)).join(' | ') || last.body.text : ''}`);
        }
        const downloadedAt = Date.now();
        let lockHeldAtKill = false;
        if (moment === 'in the write transaction') {
          lockHeldAtKill = await writeTransactionSeen(probe, () => settled, 30_000);
        } else if (moment !== 'download done') {
          // A share of how long a whole import took here (measured on the first re-run).
          await sleep(Math.round((moment === 'half-way' ? 0.5 : 0.95) * (fullImportMs ?? 1000)));
          lockHeldAtKill = await probe.writerActive();
        }
        const killedAfterMs = Date.now() - downloadedAt;
        await kill9(life);
        const answered = await answer;

        await startLife(rig);
        const outcome = await expectAllOrNothing(store, macs);
        // The bot answered before it died: the import was done, so all of it must be there.
        // The bot finished the turn before it died. What it said must match the store: never
        // "imported" for rows that are not there. (A finished turn is not always an import: the
        // reply says which, and the log of a failed run shows it.)
        if (!(answered instanceof Error)) {
          const reply = rig.channel.received.filter((activity) => activity.conversationId === adminChat).at(-1);
          const said = reply ? cardTexts(cardOf(reply)).join(' | ') || String(reply.body.text ?? '') : 'nothing';
          const claimedImport = /Imported round-/.test(said);
          expect(outcome, `the bot answered before the kill (${moment}): ${JSON.stringify(answered).slice(0, 200)}; it said: ${said.slice(0, 400)}`).toBe(claimedImport ? 'all' : 'none');
          if (!claimedImport) await annotate(`${moment}: the turn ended without an import; the bot said: ${said.slice(0, 300)}`);
        }
        if (lockHeldAtKill && outcome === 'none') killedInsideTransaction++;
        outcomes.push(`${moment} (${killedAfterMs} ms after the download${lockHeldAtKill ? ', write lock held' : ''}): ${outcome}`);

        // The admin sends the same file again: it is imported (or found already there), once.
        const rerunStarted = Date.now();
        const rerun = await sendImport(rig, `round-${round}-again.csv`, csv);
        expect(rerun instanceof Error ? rerun.message : rerun.status).toBe(200);
        if (outcome === 'none') fullImportMs ??= Date.now() - rerunStarted;
        const title = `Imported round-${round}-again.csv`;
        expect(rig.channel.received.filter((activity) => activity.conversationId === adminChat && cardTexts(cardOf(activity)).includes(title))).toHaveLength(1);
        expect(await expectAllOrNothing(store, macs)).toBe('all');
      }

      await annotate(`whole import of ${importRows} rows: ${fullImportMs} ms; kills: ${outcomes.join('; ')}`);
      // The drill reached its point: at least one kill cut an import's transaction after it began writing.
      expect(killedInsideTransaction, outcomes.join('\n')).toBeGreaterThanOrEqual(1);
      expect((await fetch(`${rig.lives.at(-1)!.url}/readyz`)).status).toBe(200);
    } finally {
      probe.close();
      await store.close();
    }
  }, 180_000);
});
