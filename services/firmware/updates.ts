// Remote updates, the way the admin center does them: an admin asks (`update … now | at … |
// window`) or the phase rules plan them (./update-planner.ts); the device fetches the one it
// should apply now (GET /state `update`) and reports each step (POST /update-status). Every
// change of an update is a compare-and-set on its status, so an out-of-order report changes nothing.
import type { Database, DatabaseOrTransaction } from '../../prisma/store.ts';
import { recordAudit } from '../devices/audit-log.ts';
import type { Device } from '../devices/device-repository.ts';
import { parseMac } from '../devices/mac-address.ts';
import { enqueueEvent } from '../notifications/outbox.ts';
import { actorLabel, type Actor } from '../shared/actor.ts';
import type { Clock } from '../shared/clock.ts';
import { DomainError } from '../shared/errors.ts';
import { newId } from '../shared/random.ts';
import { locationKeyOf } from '../time-zones.ts';
import { matchModel, type Catalog, type CatalogRelease, type Component } from './catalog.ts';
import { familyNamed, type Firmware } from './firmware-service.ts';
import { busyRetryMs, capScheduled, describeWindow, minimumWindowHours, nextSlot, pauseEnds, phases, zonedInstant, type Phase, type WindowSettings } from './update-rules.ts';
import { compareVersions } from './versions.ts';

export const updateStatuses = ['scheduled', 'downloading', 'installing', 'succeeded', 'failed', 'cancelled'] as const;
export type UpdateStatus = (typeof updateStatuses)[number];
export const openStatuses: readonly UpdateStatus[] = ['scheduled', 'downloading', 'installing'];

/** What a device may report after each status (busy puts a scheduled or downloading update back to wait). */
const nextReports: Record<string, readonly string[]> = {
  scheduled: ['downloading', 'busy', 'failed'],
  downloading: ['installing', 'busy', 'failed'],
  installing: ['succeeded', 'failed'],
};
export const deviceReports = ['downloading', 'installing', 'succeeded', 'failed', 'busy'] as const;

/** Above this many devices, `update` asks for confirmation first. */
export const confirmUpdatesAbove = 20;

export type UpdateTarget = { kind: 'macs'; macs: string[] } | { kind: 'location'; location: string } | { kind: 'model'; model: string } | { kind: 'all' };
export type UpdateTiming = { kind: 'now' } | { kind: 'at'; day: string; time: string; zone: string | null } | { kind: 'window' };

/** The one update a device should apply now, as GET /state answers it. */
export interface DeviceUpdate {
  id: string;
  component: Component;
  version: string;
  notBefore: string;
  notAfter: string | null;
}

export interface ScheduledReport {
  scheduled: { mac: string; version: string; notBefore: Date; step: boolean }[];
  skipped: { mac: string; reason: string }[];
  /** Scheduled firmware dates moved to the phase's maximum delay, said to the admin. */
  capped: { mac: string; asked: Date; at: Date }[];
  needsConfirmation?: number;
}

export interface UpdateSettings {
  phase: Phase;
  window: WindowSettings;
  pausedUntil: Date | null;
  locationPhases: Record<string, Phase>;
}

/** The release a device takes next towards `target`: the lowest required intermediate it has not reached. */
export function nextStep(releases: readonly CatalogRelease[], current: string | null, target: CatalogRelease): CatalogRelease {
  let step = target;
  for (let guard = 0; guard < 50 && step.requires && current !== null && (compareVersions(current, step.requires) ?? 1) < 0; guard++) {
    const required = releases.find((release) => release.family === step.family && release.component === step.component && compareVersions(release.version, step.requires!) === 0);
    if (!required) break;
    step = required;
  }
  return step;
}

export function createUpdates(db: Database, clock: Clock, firmware: Firmware) {
  async function settingsOf(tx: DatabaseOrTransaction, tenantId: string): Promise<UpdateSettings> {
    const row = await tx.firmwareSettings.findUnique({ where: { tenantId } });
    return {
      phase: (row?.phase as Phase | undefined) ?? 'general',
      window: { day: row?.windowDay ?? 0, start: row?.windowStart ?? '01:00', hours: row?.windowHours ?? 3 },
      pausedUntil: row?.pausedUntil ?? null,
      locationPhases: JSON.parse(row?.locationPhases ?? '{}') as Record<string, Phase>,
    };
  }

  /** The zone a location's window is in: its own, else the tenant's. */
  async function zonesOf(tx: DatabaseOrTransaction, tenantId: string): Promise<(location: string | null) => string> {
    const [tenant, sites] = await Promise.all([
      tx.tenant.findUnique({ where: { id: tenantId }, select: { timeZone: true } }),
      tx.locationTimeZone.findMany({ where: { tenantId }, select: { locationKey: true, timeZone: true } }),
    ]);
    const byKey = new Map(sites.map((site) => [site.locationKey, site.timeZone]));
    return (location) => (location ? byKey.get(locationKeyOf(location)) : undefined) ?? tenant?.timeZone ?? 'UTC';
  }

  async function devicesOf(tenantId: string, target: UpdateTarget, catalog: Catalog) {
    const select = { id: true, mac: true, location: true, model: true, firmwareVersion: true, state: true, inventory: { select: { manufacturer: true, teamsVersion: true, components: true, updatePhase: true } } } as const;
    if (target.kind === 'macs') {
      const macs = target.macs.map((text) => {
        const parsed = parseMac(text);
        if (!parsed.ok) throw new DomainError('invalid_input', `"${text}": ${parsed.reason}. Example: update 00-04-F2-81-24-B3 firmware to 58.15.0.130 now.`);
        return parsed.mac;
      });
      const found = await db.device.findMany({ where: { tenantId, mac: { in: macs } }, select });
      const missing = macs.filter((mac) => !found.some((device) => device.mac === mac));
      if (missing.length > 0) throw new DomainError('not_found', `No device ${missing.join(', ')} is registered here. "list" shows the registered devices.`);
      return found;
    }
    if (target.kind === 'location') {
      const all = await db.device.findMany({ where: { tenantId, location: { not: null } }, select });
      const found = all.filter((device) => locationKeyOf(device.location ?? '') === locationKeyOf(target.location));
      if (found.length === 0) throw new DomainError('not_found', `No device is registered at "${target.location}". "list" shows the locations.`);
      return found;
    }
    if (target.kind === 'model') {
      const family = familyNamed(catalog, target.model);
      const all = await db.device.findMany({ where: { tenantId }, select });
      const found = all.filter((device) => {
        const match = matchModel(catalog, device.inventory?.manufacturer ?? null, device.model);
        return match.known && match.family.id === family.id;
      });
      if (found.length === 0) throw new DomainError('not_found', `No device here is a ${family.name}. "firmware" shows the models of the fleet.`);
      return found;
    }
    return db.device.findMany({ where: { tenantId }, select });
  }

  function currentVersion(device: { firmwareVersion: string | null; inventory: { teamsVersion: string | null; components: string } | null }, component: Component): string | null {
    if (component === 'firmware') return device.firmwareVersion;
    if (component === 'teams') return device.inventory?.teamsVersion ?? null;
    return (JSON.parse(device.inventory?.components ?? '{}') as Record<string, string>)[component] ?? null;
  }

  const phaseOf = (settings: UpdateSettings, device: { location: string | null; inventory: { updatePhase: string | null } | null }): Phase =>
    (device.inventory?.updatePhase as Phase | null) ?? (device.location ? settings.locationPhases[locationKeyOf(device.location)] : undefined) ?? settings.phase;

  const batchOf = (device: { location: string | null }, familyId: string, familyName: string, target: UpdateTarget) =>
    target.kind === 'model' || !device.location ? { batchKey: `model:${familyId}`, batchLabel: familyName } : { batchKey: `location:${locationKeyOf(device.location)}`, batchLabel: device.location };

  return {
    settingsOf,
    zonesOf,
    phaseOf,
    currentVersion,

    /** `update …`: schedule updates of the devices named. More than 20 need `confirmed`. */
    async request(actor: Actor, tenantId: string, input: { target: UpdateTarget; component: Component; version: string | null; timing: UpdateTiming; confirmed: boolean }): Promise<ScheduledReport> {
      const now = clock.now();
      const catalog = await firmware.catalogOf(tenantId);
      const devices = await devicesOf(tenantId, input.target, catalog);
      if (devices.length > confirmUpdatesAbove && !input.confirmed) return { scheduled: [], skipped: [], capped: [], needsConfirmation: devices.length };
      const settings = await settingsOf(db, tenantId);
      const zoneOf = await zonesOf(db, tenantId);
      const report: ScheduledReport = { scheduled: [], skipped: [], capped: [] };
      const batches = new Set<string>();
      await db.$transaction(async (tx) => {
        const open = await tx.firmwareUpdate.findMany({ where: { tenantId, deviceId: { in: devices.map((device) => device.id) }, component: input.component, status: { in: [...openStatuses] } } });
        const audits: Promise<void>[] = [];
        for (const device of devices) {
          const match = matchModel(catalog, device.inventory?.manufacturer ?? null, device.model);
          if (!match.known) {
            report.skipped.push({ mac: device.mac, reason: `model unknown (${match.why})` });
            continue;
          }
          const family = match.family;
          const target = input.version
            ? catalog.releases.find((release) => release.family === family.id && release.component === input.component && compareVersions(release.version, input.version) === 0)
            : firmware.newestRelease(catalog, family.id, input.component, 'verified');
          if (!target) {
            report.skipped.push({ mac: device.mac, reason: input.version ? `${family.name} has no ${input.component} release ${input.version} in the catalog (add it: firmware release "${family.name}" ${input.component} ${input.version} verified)` : `no verified ${input.component} release of ${family.name} in the catalog` });
            continue;
          }
          const current = currentVersion(device, input.component);
          if (current !== null && (compareVersions(current, target.version) ?? -1) >= 0) {
            report.skipped.push({ mac: device.mac, reason: `already on ${current}` });
            continue;
          }
          const running = open.find((update) => update.deviceId === device.id && update.status !== 'scheduled');
          if (running) {
            report.skipped.push({ mac: device.mac, reason: `an update to ${running.version} is ${running.status}` });
            continue;
          }
          const step = nextStep(catalog.releases, current, target);
          const zone = zoneOf(device.location);
          let notBefore = now;
          let notAfter: Date | null = null;
          if (input.timing.kind === 'at') {
            const asked = zonedInstant(input.timing.day, input.timing.time, input.timing.zone ?? zone);
            if (asked.getTime() < now.getTime() - 60_000) throw new DomainError('invalid_input', `${input.timing.day} ${input.timing.time} (${input.timing.zone ?? zone}) has passed: give a time in the future, or "now".`);
            const releasedAt = new Date(`${target.released}T00:00:00Z`);
            const capped = capScheduled(asked, { releasedAt, component: input.component }, phaseOf(settings, device), now);
            if (capped.capped) report.capped.push({ mac: device.mac, asked, at: capped.at });
            notBefore = capped.at;
          } else if (input.timing.kind === 'window') {
            ({ notBefore, notAfter } = nextSlot(device.mac, zone, settings.window, now));
          }
          // A scheduled update of this device and component is replaced by the new request.
          for (const replaced of open.filter((update) => update.deviceId === device.id && update.status === 'scheduled')) {
            await tx.firmwareUpdate.updateMany({ where: { id: replaced.id, status: 'scheduled' }, data: { status: 'cancelled', detail: 'replaced by a newer request', finishedAt: now } });
          }
          const batch = batchOf(device, family.id, family.name, input.target);
          batches.add(batch.batchKey);
          const previousAttempts = await tx.firmwareUpdate.count({ where: { deviceId: device.id, component: input.component, version: step.version } });
          await tx.firmwareUpdate.create({
            data: { id: newId(), tenantId, deviceId: device.id, mac: device.mac, component: input.component, version: step.version, target: target.version, fromVersion: current, mode: 'manual', status: 'scheduled', notBefore, notAfter, ...batch, attempt: previousAttempts + 1, requestedBy: actorLabel(actor) },
          });
          audits.push(recordAudit(tx, { tenantId, deviceId: device.id, actor, action: 'firmware.update_requested', data: { component: input.component, version: step.version, target: target.version, from: current, notBefore: notBefore.toISOString(), timing: input.timing.kind } }, now));
          report.scheduled.push({ mac: device.mac, version: step.version, notBefore, step: step !== target });
        }
        await Promise.all(audits);
        for (const batchKey of batches) await enqueueEvent(tx, { kind: 'firmware.batch_changed', tenantId, batchKey }, now);
      });
      return report;
    },

    /** `updates`: the tenant's updates, newest first, with counts per status. */
    async list(tenantId: string, limit = 30) {
      const [counts, recent, settings] = await Promise.all([
        db.firmwareUpdate.groupBy({ by: ['status'], where: { tenantId }, _count: { _all: true } }),
        db.firmwareUpdate.findMany({ where: { tenantId }, orderBy: [{ updatedAt: 'desc' }], take: limit }),
        settingsOf(db, tenantId),
      ]);
      return { counts: Object.fromEntries(counts.map((row) => [row.status, row._count._all])) as Partial<Record<UpdateStatus, number>>, recent, settings, window: describeWindow(settings.window) };
    },

    /** `cancel update MAC…|location NAME|all`: scheduled updates are cancelled; running ones cannot be. */
    async cancel(actor: Actor, tenantId: string, target: UpdateTarget): Promise<{ cancelled: string[]; running: string[] }> {
      const now = clock.now();
      const catalog = await firmware.catalogOf(tenantId);
      const devices = await devicesOf(tenantId, target, catalog);
      return db.$transaction(async (tx) => {
        const open = await tx.firmwareUpdate.findMany({ where: { tenantId, deviceId: { in: devices.map((device) => device.id) }, status: { in: [...openStatuses] } } });
        const cancelled: string[] = [];
        const running: string[] = [];
        const batches = new Set<string>();
        for (const update of open) {
          if (update.status !== 'scheduled') {
            running.push(`${update.mac} (${update.status} ${update.version})`);
            continue;
          }
          const done = await tx.firmwareUpdate.updateMany({ where: { id: update.id, status: 'scheduled' }, data: { status: 'cancelled', detail: `cancelled by ${actor.kind === 'user' ? (actor.name ?? 'an admin') : actor.kind}`, finishedAt: now } });
          if (done.count === 1) {
            cancelled.push(`${update.mac} (${update.version})`);
            batches.add(update.batchKey);
            await recordAudit(tx, { tenantId, deviceId: update.deviceId, actor, action: 'firmware.update_cancelled', data: { version: update.version } }, now);
          }
        }
        for (const batchKey of batches) await enqueueEvent(tx, { kind: 'firmware.batch_changed', tenantId, batchKey }, now);
        return { cancelled, running };
      });
    },

    /** `pause updates`: no automatic update starts tenant-wide for 15 days (manual ones still do). */
    async pause(actor: Actor, tenantId: string): Promise<Date> {
      const now = clock.now();
      const until = pauseEnds(now);
      await db.$transaction(async (tx) => {
        await tx.tenant.upsert({ where: { id: tenantId }, create: { id: tenantId }, update: {} });
        await tx.firmwareSettings.upsert({ where: { tenantId }, create: { tenantId, pausedUntil: until }, update: { pausedUntil: until } });
        // Automatic updates already planned but not started wait too.
        await tx.firmwareUpdate.updateMany({ where: { tenantId, mode: 'auto', status: 'scheduled' }, data: { status: 'cancelled', detail: 'updates paused', finishedAt: now } });
        await recordAudit(tx, { tenantId, deviceId: null, actor, action: 'firmware.updates_paused', data: { until: until.toISOString() } }, now);
      });
      return until;
    },

    /** `resume updates`: automatic updates go on (at the next planning). Whether they were paused. */
    async resume(actor: Actor, tenantId: string): Promise<boolean> {
      const now = clock.now();
      const settings = await settingsOf(db, tenantId);
      const wasPaused = settings.pausedUntil !== null && settings.pausedUntil.getTime() > now.getTime();
      await db.$transaction(async (tx) => {
        await tx.firmwareSettings.updateMany({ where: { tenantId }, data: { pausedUntil: null } });
        await recordAudit(tx, { tenantId, deviceId: null, actor, action: 'firmware.updates_resumed', data: { wasPaused } }, now);
      });
      return wasPaused;
    },

    /** `firmware window DAY HH:mm [HOURS]`: the organisation's maintenance window, in each device's local time (at least 3 hours). */
    async setWindow(actor: Actor, tenantId: string, window: WindowSettings): Promise<string> {
      if (!Number.isInteger(window.day) || window.day < 0 || window.day > 6) throw new DomainError('invalid_input', 'The day is one of Sunday … Saturday.');
      if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(window.start)) throw new DomainError('invalid_input', `"${window.start}" is not a time of day: write HH:mm, e.g. 01:00.`);
      if (!Number.isInteger(window.hours) || window.hours < minimumWindowHours || window.hours > 24) throw new DomainError('invalid_input', `A maintenance window lasts ${minimumWindowHours} to 24 whole hours (got ${window.hours}).`);
      const now = clock.now();
      await db.$transaction(async (tx) => {
        await tx.tenant.upsert({ where: { id: tenantId }, create: { id: tenantId }, update: {} });
        const data = { windowDay: window.day, windowStart: window.start, windowHours: window.hours };
        await tx.firmwareSettings.upsert({ where: { tenantId }, create: { tenantId, ...data }, update: data });
        await recordAudit(tx, { tenantId, deviceId: null, actor, action: 'firmware.window_set', data: { ...window } }, now);
      });
      return describeWindow(window);
    },

    /** Sets the phase of the tenant, a location or a device. */
    async setPhase(actor: Actor, tenantId: string, phase: Phase, scope: { kind: 'tenant' } | { kind: 'location'; location: string } | { kind: 'device'; mac: string }): Promise<void> {
      if (!(phases as readonly string[]).includes(phase)) throw new DomainError('invalid_input', 'The phase is validation, general or final.');
      const now = clock.now();
      await db.$transaction(async (tx) => {
        await tx.tenant.upsert({ where: { id: tenantId }, create: { id: tenantId }, update: {} });
        if (scope.kind === 'device') {
          const parsed = parseMac(scope.mac);
          if (!parsed.ok) throw new DomainError('invalid_input', `${parsed.reason}.`);
          const device = await tx.device.findUnique({ where: { tenantId_mac: { tenantId, mac: parsed.mac } } });
          if (!device) throw new DomainError('not_found', `No device ${parsed.mac} is registered here.`);
          await tx.deviceInventory.upsert({ where: { deviceId: device.id }, create: { deviceId: device.id, tenantId, updatePhase: phase, reportedAt: now }, update: { updatePhase: phase } });
        } else {
          const settings = await settingsOf(tx, tenantId);
          const data = scope.kind === 'tenant' ? { phase } : { locationPhases: JSON.stringify({ ...settings.locationPhases, [locationKeyOf(scope.location)]: phase }) };
          await tx.firmwareSettings.upsert({ where: { tenantId }, create: { tenantId, ...data }, update: data });
        }
        await recordAudit(tx, { tenantId, deviceId: null, actor, action: 'firmware.phase_set', data: { phase, scope } }, now);
      });
    },

    /** The updates of one batch (a location or a model), counted for its card: the latest of each device and version. */
    async batchProgress(tenantId: string, batchKey: string) {
      const rows = await db.firmwareUpdate.findMany({ where: { tenantId, batchKey }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: { deviceId: true, mac: true, status: true, detail: true, mode: true, notAfter: true, batchLabel: true } });
      // A device counts once: its latest update of the batch (a retry or the next step replaces the earlier row).
      const latest = new Map<string, (typeof rows)[number]>();
      for (const row of rows) latest.set(row.deviceId, row);
      const settings = await settingsOf(db, tenantId);
      const shown = [...latest.values()];
      return {
        label: rows[0]?.batchLabel ?? batchKey,
        total: shown.length,
        succeeded: shown.filter((row) => row.status === 'succeeded').length,
        failed: shown.filter((row) => row.status === 'failed').map((row) => ({ mac: row.mac, reason: row.detail ?? 'no reason given' })),
        running: shown.filter((row) => row.status === 'downloading' || row.status === 'installing').length,
        waiting: shown.filter((row) => row.status === 'scheduled').length,
        cancelled: shown.filter((row) => row.status === 'cancelled').length,
        windowText: shown.some((row) => row.status === 'scheduled' && row.notAfter) ? `${describeWindow(settings.window)} local` : null,
      };
    },

    /** GET /state: the one update the device should apply now (running, or due and in its span), or null. */
    async currentFor(device: Device): Promise<DeviceUpdate | null> {
      const now = clock.now();
      const candidates = await db.firmwareUpdate.findMany({ where: { deviceId: device.id, status: { in: [...openStatuses] } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
      const running = candidates.find((update) => update.status !== 'scheduled');
      const due = running ?? candidates.find((update) => update.notBefore.getTime() <= now.getTime() && (!update.notAfter || update.notAfter.getTime() > now.getTime()));
      if (!due) return null;
      return { id: due.id, component: due.component as Component, version: due.version, notBefore: due.notBefore.toISOString(), notAfter: due.notAfter?.toISOString() ?? null };
    },

    /** POST /update-status: the device reports a step of an update. Out of order or not its own: refused, nothing changes. */
    async reportStatus(device: Device, body: Record<string, unknown>): Promise<{ id: string; status: UpdateStatus; version: string }> {
      const updateId = body.updateId;
      const status = body.status;
      const detail = body.detail;
      if (typeof updateId !== 'string' || updateId.trim() === '' || updateId.length > 64) throw new DomainError('invalid_input', 'updateId: the id of the update from GET /state.');
      if (typeof status !== 'string' || !(deviceReports as readonly string[]).includes(status)) throw new DomainError('invalid_input', `status: one of ${deviceReports.join(', ')}.`);
      if (detail !== undefined && detail !== null && (typeof detail !== 'string' || detail.length > 500)) throw new DomainError('invalid_input', 'detail: text of at most 500 characters.');
      const detailText = typeof detail === 'string' ? detail.replace(/[\u0000-\u001f\u007f<>[\]]/g, ' ').trim() || null : null;
      const now = clock.now();
      return db.$transaction(async (tx) => {
        const update = await tx.firmwareUpdate.findUnique({ where: { id: updateId } });
        // Another device's update is answered as unknown: ids of other devices are not confirmed.
        if (!update || update.deviceId !== device.id) throw new DomainError('not_found', `No update ${updateId.slice(0, 64)} for this device. Use the id GET /state answers in "update".`);
        const answer = (current: UpdateStatus) => ({ id: update.id, status: current, version: update.version });
        if (status === update.status) return answer(update.status as UpdateStatus);
        const allowed = nextReports[update.status] ?? [];
        if (!allowed.includes(status)) {
          throw new DomainError('conflict', `The update is ${update.status}; "${status}" cannot come now${allowed.length ? ` (expected ${allowed.join(' or ')})` : ' (it is finished)'}. Nothing was changed.`, { current: update.status });
        }
        if (update.status === 'scheduled' && update.notBefore.getTime() > now.getTime()) {
          throw new DomainError('conflict', `The update is not due before ${update.notBefore.toISOString()}. Nothing was changed.`, { current: update.status, notBefore: update.notBefore.toISOString() });
        }
        let next: UpdateStatus;
        if (status === 'busy') {
          // In a call: asked again after it (the next poll after the retry delay), within its span when it has one.
          const retryAt = new Date(now.getTime() + busyRetryMs);
          const moved = await tx.firmwareUpdate.updateMany({ where: { id: update.id, status: update.status }, data: { status: 'scheduled', notBefore: retryAt, busyCount: { increment: 1 }, detail: detailText ?? 'busy (in a call)' } });
          if (moved.count !== 1) throw new DomainError('conflict', 'The update changed meanwhile. Ask GET /state again.');
          return answer('scheduled');
        }
        next = status as UpdateStatus;
        const finished = next === 'succeeded' || next === 'failed';
        const moved = await tx.firmwareUpdate.updateMany({ where: { id: update.id, status: update.status }, data: { status: next, ...(detailText ? { detail: detailText } : {}), ...(finished ? { finishedAt: now } : {}) } });
        if (moved.count !== 1) throw new DomainError('conflict', 'The update changed meanwhile. Ask GET /state again.');
        await recordAudit(tx, { tenantId: update.tenantId, deviceId: device.id, actor: { kind: 'device', mac: device.mac }, action: `firmware.update_${next}`, data: { version: update.version, ...(detailText ? { detail: detailText } : {}) } }, now);
        if (next === 'failed') {
          await enqueueEvent(tx, { kind: 'firmware.update_failed', tenantId: update.tenantId, updateId: update.id, deviceId: device.id, mac: device.mac, version: update.version, attempt: update.attempt, detail: detailText }, now, `update-failed:${update.id}`);
        }
        if (next === 'succeeded' && compareVersions(update.version, update.target) !== 0) {
          // A step on the way: the next one follows at once, in the same span.
          const catalog = await firmware.catalogOf(update.tenantId, tx);
          const target = catalog.releases.find((release) => release.family && release.component === update.component && compareVersions(release.version, update.target) === 0 && catalog.releases.some((step) => step.family === release.family && compareVersions(step.version, update.version) === 0));
          if (target) {
            const step = nextStep(catalog.releases, update.version, target);
            await tx.firmwareUpdate.create({ data: { id: newId(), tenantId: update.tenantId, deviceId: device.id, mac: device.mac, component: update.component, version: step.version, target: update.target, fromVersion: update.version, mode: update.mode, status: 'scheduled', notBefore: now, notAfter: update.notAfter, batchKey: update.batchKey, batchLabel: update.batchLabel, attempt: 1, requestedBy: update.requestedBy } });
          }
        }
        if (finished || next === 'downloading') await enqueueEvent(tx, { kind: 'firmware.batch_changed', tenantId: update.tenantId, batchKey: update.batchKey }, now);
        return answer(next);
      });
    },
  };
}

export type Updates = ReturnType<typeof createUpdates>;
