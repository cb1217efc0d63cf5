// The device side of remote updates over HTTP (GET /state `update`, POST /update-status), with
// bad input that must change nothing, and the automatic planning by phase, window, pause and
// required intermediate steps with an injected clock.
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceApiError, type DeviceClient } from '../../../bot/device-simulator/device-client.ts';
import { ManualClock, minutes } from '../../helpers/manual-clock.ts';
import { testProviders, unavailable } from '../../helpers/test-bot.ts';
import { adminsChannel, inConversation, startFirmwareRig, text, type FirmwareRig } from './firmware-fixtures.ts';

let rig: FirmwareRig;
afterEach(async () => {
  await rig?.bot.close();
});

const refusal = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error as DeviceApiError);
const macA = '80-5E-C0-00-10-01';
const macB = '80-5E-C0-00-10-02';

describe('the update contract', () => {
  it('refuses another device\'s update, unknown ids, bad statuses and steps out of order with a clear 4xx, changing nothing', async () => {
    const clock = new ManualClock(new Date('2026-12-02T10:00:00Z'));
    rig = await startFirmwareRig({}, clock);
    const phones = await rig.provision([{ mac: macA, location: 'Lobby', model: 'T56A', firmwareVersion: '58.15.0.124' }, { mac: macB, location: 'Lobby', model: 'T58A', firmwareVersion: '58.15.0.124' }]);
    const [a, b] = [phones.get(macA)!, phones.get(macB)!];
    await rig.say('firmware release "Yealink T56A" firmware 58.15.0.130 verified released 2026-11-30');
    expect(await rig.say(`update ${macA} firmware to 58.15.0.130 now`)).toMatch(/1 update scheduled/);
    const update = (await a.state()).update!;
    expect((await b.state()).update).toBeNull();
    const stored = () => rig.bot.server.store.db.firmwareUpdate.findUniqueOrThrow({ where: { id: update.id } });
    const before = await stored();

    expect(await refusal(b.reportUpdateStatus(update.id, 'downloading'))).toMatchObject({ status: 404, code: 'not_found' });
    expect(await refusal(a.reportUpdateStatus('01JUNKNOWNUPDATE0000000000', 'downloading'))).toMatchObject({ status: 404, code: 'not_found' });
    expect(await refusal(a.reportUpdateStatus(update.id, 'installing'))).toMatchObject({ status: 409, code: 'conflict', message: expect.stringContaining('expected downloading') });
    expect(await refusal(a.reportUpdateStatus(update.id, 'succeeded'))).toMatchObject({ status: 409 });
    expect(await refusal(a.reportUpdateStatus(update.id, 'done' as 'succeeded'))).toMatchObject({ status: 400, code: 'invalid_input' });
    expect(await refusal(a.reportInventory({ firmwareVersion: '<b>1.0</b>' }))).toMatchObject({ status: 400 });
    expect(await refusal(a.reportInventory({ colour: 'red' } as never))).toMatchObject({ status: 400, message: expect.stringContaining('colour') });
    const anonymous = await fetch(`${rig.bot.url}/api/device/v1/update-status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ updateId: update.id, status: 'downloading' }) });
    expect(anonymous.status).toBe(401);
    expect(await stored()).toEqual(before);

    // Busy (in a call): asked again after the call, not before.
    expect((await a.reportUpdateStatus(update.id, 'busy')).status).toBe('scheduled');
    expect((await a.state()).update).toBeNull();
    clock.advance(minutes(11));
    expect((await a.state()).update?.id).toBe(update.id);

    // A failure reaches the admins once per device and attempt; a repeated report changes nothing.
    await a.reportUpdateStatus(update.id, 'downloading');
    await a.reportUpdateStatus(update.id, 'failed', 'checksum mismatch');
    await a.reportUpdateStatus(update.id, 'failed', 'checksum mismatch');
    expect(await refusal(a.reportUpdateStatus(update.id, 'succeeded'))).toMatchObject({ status: 409, message: expect.stringContaining('finished') });
    const failures = await rig.bot.channel.waitFor(1, (activity) => inConversation(adminsChannel.conversationId)(activity) && /Update failed/.test(text(activity)), 10_000);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(rig.bot.channel.received.filter((activity) => inConversation(adminsChannel.conversationId)(activity) && /Update failed/.test(text(activity)))).toHaveLength(1);
    expect(text(failures[0])).toContain('checksum mismatch');

    // Asked again: a new attempt.
    await rig.say(`update ${macA} firmware to 58.15.0.130 now`);
    expect(await rig.bot.server.store.db.firmwareUpdate.findFirst({ where: { mac: macA, status: 'scheduled' } })).toMatchObject({ attempt: 2 });
  });
});

describe.each(testProviders)('automatic updates by phase, window, pause and steps on %s', (provider) => {
  it.skipIf(unavailable(provider))('plans verified releases due for the phase into the Sunday window, steps through required versions, leaves unknown versions and later phases alone', async () => {
    const clock = new ManualClock(new Date('2026-12-02T10:00:00Z'));
    rig = await startFirmwareRig({}, clock, provider);
    const phones = await rig.provision([
      { mac: '80-5E-C0-00-20-01', location: 'Berlin HQ', model: 'T56A', firmwareVersion: '58.15.0.124' },
      { mac: '80-5E-C0-00-20-02', location: 'Berlin HQ', model: 'T56A', firmwareVersion: '58.15.0.100' },
      { mac: '80-5E-C0-00-20-03', location: 'Annex', model: 'T58A', firmwareVersion: '58.15.0.124' },
    ]);
    await rig.say('timezone location "Berlin HQ" Europe/Berlin');
    await rig.say('firmware phase final location Annex');
    await rig.say('firmware release "Yealink T55/T56/T58" firmware 58.15.0.130 verified released 2026-10-01');
    await rig.say('firmware release "Yealink T56A" firmware 58.15.0.140 verified released 2026-10-15 requires 58.15.0.130');
    await rig.say('firmware release "Yealink T56A" firmware 58.15.0.150 preview released 2026-10-20 requires 58.15.0.140');

    const planner = rig.bot.server.services.firmware.planner;
    const planned = await planner.planDue(clock.now());
    expect(planned).toMatchObject({ planned: 1 });
    const rows = await rig.bot.server.store.db.firmwareUpdate.findMany();
    expect(rows).toHaveLength(1);
    const [row] = rows;
    // The known version steps to .130 first (.140 requires it); Sunday 01:00–04:00 Berlin is 00:00–03:00 UTC in December.
    expect(row).toMatchObject({ mac: '80-5E-C0-00-20-01', version: '58.15.0.130', target: '58.15.0.140', mode: 'auto', notAfter: new Date('2026-12-06T03:00:00Z') });
    expect(row!.notBefore.getTime()).toBeGreaterThanOrEqual(new Date('2026-12-06T00:00:00Z').getTime());
    expect(row!.notBefore.getTime()).toBeLessThan(new Date('2026-12-06T02:00:00Z').getTime());
    // Planning again changes nothing (the update is open).
    expect(await planner.planDue(clock.now())).toMatchObject({ planned: 0 });

    const phone = phones.get('80-5E-C0-00-20-01')!;
    expect((await phone.state()).update).toBeNull();
    clock.advance(row!.notBefore.getTime() - clock.now().getTime());
    const first = (await phone.state()).update!;
    expect(first.version).toBe('58.15.0.130');
    await applyUpdate(phone, first.id, '58.15.0.130');
    // The next step follows at once, in the same window.
    const second = (await phone.state()).update!;
    expect(second).toMatchObject({ version: '58.15.0.140', notAfter: '2026-12-06T03:00:00.000Z' });
    await applyUpdate(phone, second.id, '58.15.0.140');
    expect((await phone.state()).update).toBeNull();
    // The preview release is never applied automatically.
    clock.advance(minutes(60 * 24 * 7));
    expect(await planner.planDue(clock.now())).toMatchObject({ planned: 0 });
  });

  it.skipIf(unavailable(provider))('pause updates stops planning and cancels planned automatic updates; resume lets them be planned again', async () => {
    const clock = new ManualClock(new Date('2026-12-02T10:00:00Z'));
    rig = await startFirmwareRig({}, clock, provider);
    await rig.provision([{ mac: '80-5E-C0-00-30-01', location: 'Lobby', model: 'T56A', firmwareVersion: '58.15.0.124' }]);
    await rig.say('firmware release "Yealink T56A" firmware 58.15.0.130 verified released 2026-10-01');
    const planner = rig.bot.server.services.firmware.planner;
    expect(await planner.planDue(clock.now())).toMatchObject({ planned: 1 });
    expect(await rig.say('pause updates')).toMatch(/paused/);
    expect(await rig.bot.server.store.db.firmwareUpdate.count({ where: { status: 'scheduled' } })).toBe(0);
    expect(await planner.planDue(clock.now())).toMatchObject({ planned: 0, paused: 1 });
    expect(await rig.say('updates')).toMatch(/paused until/);
    expect(await rig.say('resume updates')).toMatch(/resumed/);
    expect(await planner.planDue(clock.now())).toMatchObject({ planned: 1 });
  });

  it.skipIf(unavailable(provider))('a scheduled firmware date beyond the phase\'s maximum delay is moved to it, and the admin is told', async () => {
    const clock = new ManualClock(new Date('2026-12-02T10:00:00Z'));
    rig = await startFirmwareRig({}, clock, provider);
    await rig.provision([{ mac: '80-5E-C0-00-40-01', location: 'Lobby', model: 'T56A', firmwareVersion: '58.15.0.124' }]);
    await rig.say('firmware release "Yealink T56A" firmware 58.15.0.130 verified released 2026-11-20');
    const reply = await rig.say('update 80-5E-C0-00-40-01 firmware to 58.15.0.130 at 2027-01-15 02:00 Europe/Berlin');
    expect(reply).toMatch(/moved to the phase's maximum delay/);
    expect(reply).toMatch(/later than its phase allows/);
    expect(await rig.bot.server.store.db.firmwareUpdate.findFirst()).toMatchObject({ notBefore: new Date('2026-12-20T00:00:00Z') });
    expect(await rig.say('update 80-5E-C0-00-40-01 firmware to 58.15.0.130 at 2026-12-31 25:00')).toMatch(/YYYY-MM-DD HH:mm/);
    expect(await rig.say('update 80-5E-C0-00-40-01 firmware to 9.9.9 now')).toMatch(/no firmware release 9\.9\.9/);
    // The window: at least 3 hours, refused otherwise with nothing changed.
    expect(await rig.say('firmware window Saturday 22:00 2')).toMatch(/3 to 24 whole hours/);
    expect(await rig.say('firmware window Saturday 22:00 4')).toMatch(/Saturday 22:00–02:00/);
    expect(await rig.bot.server.store.db.firmwareSettings.findFirst()).toMatchObject({ windowDay: 6, windowStart: '22:00', windowHours: 4 });
    // Cancelled before it starts; `updates` lists it.
    expect(await rig.say('cancel update 80-5E-C0-00-40-01')).toMatch(/1 scheduled update cancelled: 80-5E-C0-00-40-01 \(58\.15\.0\.130\)/);
    expect(await rig.say('cancel update')).toMatch(/say which devices/);
    expect(await rig.say('updates')).toMatch(/0 pending, 0 running, 0 done, 0 failed[\s\S]*80-5E-C0-00-40-01[\s\S]*cancelled/);
  });
});

async function applyUpdate(phone: DeviceClient, id: string, version: string): Promise<void> {
  for (const step of ['downloading', 'installing', 'succeeded'] as const) await phone.reportUpdateStatus(id, step);
  await phone.reportInventory({ firmwareVersion: version });
}

describe('the catalog in chat', () => {
  it('firmware import adds releases (audited); a file with a bad row imports nothing and says which row', async () => {
    rig = await startFirmwareRig();
    await rig.provision([{ mac: '80-5E-C0-00-70-01', location: 'Lobby', model: 'T56A', firmwareVersion: '58.15.0.124' }]);
    const good = JSON.stringify({ releases: [
      { family: 'Yealink T56A', component: 'firmware', version: '58.15.0.130', released: '2026-11-01', label: 'verified' },
      { family: 'poly-ccx', component: 'teams', version: '1449.1.0.95', released: '2026-11-02', label: 'preview' },
    ] });
    const bad = JSON.stringify({ releases: [
      { family: 'Yealink T56A', component: 'firmware', version: '58.15.0.140', released: '2026-11-01', label: 'verified' },
      { family: 'Acme Phone 9', component: 'firmware', version: '1.0', released: '2026-11-01', label: 'verified' },
    ] });
    expect(await rig.say(`firmware import ${bad}`)).toMatch(/Nothing was imported: releases\.1 \(Acme Phone 9\)/);
    expect(await rig.say('firmware import {"releases": [{"family": "Yealink T56A", "version": "x.y"}]}')).toMatch(/does not fit/);
    expect(await rig.say('firmware import not json')).toMatch(/not JSON/);
    expect(await rig.bot.server.store.db.firmwareRelease.count()).toBe(0);
    expect(await rig.say(`firmware import ${good}`)).toMatch(/2 releases added, 0 changed/);
    expect(await rig.bot.server.store.db.auditEvent.count({ where: { action: 'firmware.release_added' } })).toBe(2);
    const device = await rig.say('firmware 80-5E-C0-00-70-01');
    expect(device).toContain('58.15.0.130');
    expect(device).toMatch(/Ready for remote provisioning/);
    expect(await rig.say('firmware release "Acme Phone 9" firmware 1.0 verified')).toMatch(/Unknown model: the catalog knows no model/);
    expect(await rig.say('firmware release "Yealink T56A" firmware 58.15.0.131 verified released 2099-01-01')).toMatch(/in the future/);
  });
});

describe('many devices at once', () => {
  it('update on more than 20 devices asks first and schedules nothing until confirmed', async () => {
    rig = await startFirmwareRig();
    const lines = Array.from({ length: 21 }, (_, index) => `80-5E-C0-00-80-${index.toString(16).padStart(2, '0').toUpperCase()} Hall`).join('\n');
    await rig.say(`register ${lines}`);
    expect(await rig.say('update location Hall firmware now')).toMatch(/Update 21 devices\?/);
    expect(await rig.bot.server.store.db.firmwareUpdate.count()).toBe(0);
    // Confirmed (as the confirmation card's "yes" runs it), devices of unknown models are said so, not guessed.
    const report = await rig.bot.server.services.firmware.updates.request({ kind: 'user', id: 'aad-ada' }, (await rig.bot.server.store.db.device.findFirstOrThrow()).tenantId, { target: { kind: 'location', location: 'hall' }, component: 'firmware', version: null, timing: { kind: 'now' }, confirmed: true });
    expect(report.scheduled).toHaveLength(0);
    expect(report.skipped).toHaveLength(21);
    expect(report.skipped[0]!.reason).toMatch(/model unknown \(the device reported no model\)/);
  });
});
