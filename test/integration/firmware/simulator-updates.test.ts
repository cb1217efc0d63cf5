// A small fleet of simulated phones (`npm run device -- update`, run in this process over real
// HTTP) applies a remote update: most succeed, one fails with a reason, one is in a call and is
// offered the update again after it. The admins' batch card, updated in place, ends at "3 of 5
// updated, 1 failed (…)"; `status` shows the new version.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDeviceCli } from '../../../bot/device-simulator/cli.ts';
import { ManualClock, minutes } from '../../helpers/manual-clock.ts';
import type { ReceivedActivity } from '../../helpers/fake-channel.ts';
import { adminsChannel, startFirmwareRig, text, type FirmwareRig } from './firmware-fixtures.ts';

let rig: FirmwareRig;
let stateDir: string;
afterEach(async () => {
  await rig?.bot.close();
  rmSync(stateDir, { recursive: true, force: true });
});

function device(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const exited = runDeviceCli([...args, '--server', rig.bot.url, '--state-dir', stateDir], { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { exited, out, err };
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await probe())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the simulator updates a small fleet over HTTP', () => {
  it('five phones: three update, one fails with its reason, one reports busy and updates after the call', async () => {
    const clock = new ManualClock(new Date('2026-12-02T10:00:00Z'));
    rig = await startFirmwareRig({}, clock);
    stateDir = mkdtempSync(path.join(tmpdir(), 'simulator-updates-'));
    const macs = ['80-5E-C0-00-50-01', '80-5E-C0-00-50-02', '80-5E-C0-00-50-03', '80-5E-C0-00-50-04', '80-5E-C0-00-50-05'];
    await rig.say(`register ${macs.map((mac) => `${mac} Lobby`).join('\n')}`);
    const tenantId = (await rig.bot.server.store.db.device.findFirstOrThrow()).tenantId;
    const codes = await rig.bot.server.services.devices.codes.issue({ kind: 'user', id: 'aad-ada' }, tenantId, { macs });
    for (const issued of codes.issued) {
      const run = device(['provision', '--mac', issued.mac, '--code', issued.code, '--manufacturer', 'Yealink', '--model', 'T56A', '--firmware', '58.15.0.124']);
      expect(await run.exited, run.err.join('\n')).toBe(0);
    }

    await rig.say('firmware release "Yealink T56A" firmware 58.15.0.130 verified');
    expect(await rig.say('update location Lobby firmware to 58.15.0.130 now')).toMatch(/5 updates scheduled/);

    const runs = macs.map((mac, index) => device(['update', '--mac', mac, '--poll-seconds', '0.05', '--timeout-seconds', '30', ...(index === 3 ? ['--fail', 'not enough storage'] : []), ...(index === 4 ? ['--busy'] : [])]));
    const db = rig.bot.server.store.db;
    // The busy phone is offered the update again after the call (10 minutes later by the clock).
    await until('the busy report', async () => (await db.firmwareUpdate.count({ where: { mac: macs[4], busyCount: 1 } })) === 1);
    const exits = await Promise.all(runs.slice(0, 4).map((run) => run.exited));
    expect(exits).toEqual([0, 0, 0, 1]);
    expect(runs[3]!.err.join('\n')).toContain('not enough storage');
    expect(runs[0]!.out).toEqual(expect.arrayContaining(['Update offered: firmware 58.15.0.130', 'Updated: firmware is now 58.15.0.130']));
    expect(runs[4]!.out).toContain('In a call: reported busy; the service offers it again after the call');

    const isCard = (activity: ReceivedActivity) => activity.conversationId === adminsChannel.conversationId && /Updates: Lobby/.test(text(activity));
    await rig.bot.channel.waitFor(1, (activity) => isCard(activity) && /3 of 5 updated, 1 failed \(80-5E-C0-00-50-04: not enough storage\)/.test(text(activity)) && /1 waiting/.test(text(activity)), 20_000);

    clock.advance(minutes(11));
    expect(await runs[4]!.exited).toBe(0);
    await rig.bot.channel.waitFor(1, (activity) => isCard(activity) && /4 of 5 updated, 1 failed/.test(text(activity)), 20_000);
    expect(rig.bot.channel.received.filter((activity) => isCard(activity) && activity.method === 'POST')).toHaveLength(1);
    // The failure notice is a message of its own, delivered by the outbox on its own schedule: wait for it, then count it once.
    const isFailureNotice = (activity: ReceivedActivity) => activity.conversationId === adminsChannel.conversationId && /Update failed/.test(text(activity));
    await rig.bot.channel.waitFor(1, isFailureNotice, 20_000);
    expect(rig.bot.channel.received.filter(isFailureNotice)).toHaveLength(1);
    expect(await rig.say(`status ${macs[4]}`)).toContain('58.15.0.130');
    expect(await rig.say(`status ${macs[3]}`)).toContain('58.15.0.124');
  });

  it('refuses bad simulator options before anything is sent', async () => {
    rig = await startFirmwareRig();
    stateDir = mkdtempSync(path.join(tmpdir(), 'simulator-updates-'));
    const run = device(['update', '--mac', '80-5E-C0-00-60-01', '--code', '123456']);
    expect(await run.exited).toBe(2);
    expect(run.err.join('\n')).toMatch(/--code does not apply to update/);
    const unknown = device(['update', '--mac', '80-5E-C0-00-60-01']);
    expect(await unknown.exited).toBe(1);
    expect(unknown.err.join('\n')).toMatch(/provision it first/);
  });
});
