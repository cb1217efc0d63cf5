// Plans the automatic updates that are due (the `plan-updates` job, every 15 minutes): for each
// device, the newest verified release its phase has reached, in its next maintenance window,
// at the slot the hash of its MAC picks. Devices on versions the catalog does not know, tenants
// that paused updates, and devices with an update already open are left alone. Scheduled
// automatic updates whose window passed unused move to the next window.
import type { Database } from '../../prisma/store.ts';
import type { Prisma } from '../../generated/sqlite/client.ts';
import { locationKeyOf } from '../time-zones.ts';
import { enqueueEvent } from '../notifications/outbox.ts';
import { newId } from '../shared/random.ts';
import { isKnownVersion, matchModel, type Catalog, type CatalogRelease, type Component, type ModelFamily } from './catalog.ts';
import type { Firmware } from './firmware-service.ts';
import { autoApplies, dueFrom, phases, startInWindow, windowAtOrAfter, type Phase, type Window } from './update-rules.ts';
import { nextStep, openStatuses, type Updates } from './updates.ts';
import { compareVersions } from './versions.ts';

/** The components the planner keeps up to date on its own. */
const autoComponents: readonly Component[] = ['firmware', 'teams'];

export interface PlanResult {
  tenants: number;
  devices: number;
  planned: number;
  moved: number;
  paused: number;
}

/** The newest verified release each phase has reached, per family and component. */
function targetsOf(catalog: Catalog, now: Date): Map<string, CatalogRelease> {
  const targets = new Map<string, CatalogRelease>();
  for (const release of catalog.releases) {
    if (release.label !== 'verified') continue;
    for (const phase of phases) {
      if (dueFrom(new Date(`${release.released}T00:00:00Z`), phase, release.component).getTime() > now.getTime()) continue;
      const key = `${release.family}|${release.component}|${phase}`;
      const current = targets.get(key);
      if (!current || (compareVersions(release.version, current.version) ?? 0) > 0) targets.set(key, release);
    }
  }
  return targets;
}

export function createUpdatePlanner(db: Database, firmware: Firmware, updates: Updates) {
  async function planTenant(tenantId: string, now: Date, result: PlanResult): Promise<void> {
    const settings = await updates.settingsOf(db, tenantId);
    if (settings.pausedUntil && settings.pausedUntil.getTime() > now.getTime()) {
      result.paused++;
      return;
    }
    const catalog = await firmware.catalogOf(tenantId);
    const targets = targetsOf(catalog, now);
    const zoneOf = await updates.zonesOf(db, tenantId);
    const windows = new Map<string, Window>();
    const windowIn = (zone: string) => {
      let window = windows.get(zone);
      if (!window) windows.set(zone, (window = windowAtOrAfter(now, zone, settings.window)));
      return window;
    };
    const batches = new Set<string>();

    // Automatic updates whose window passed unstarted wait for the next one.
    const missed = await db.firmwareUpdate.findMany({ where: { tenantId, mode: 'auto', status: 'scheduled', notAfter: { lte: now } }, select: { id: true, mac: true, deviceId: true, batchKey: true, device: { select: { location: true } } } });
    for (const update of missed) {
      const slot = startInWindow(update.mac, windowIn(zoneOf(update.device.location)), now);
      await db.firmwareUpdate.updateMany({ where: { id: update.id, status: 'scheduled' }, data: slot });
      result.moved++;
      batches.add(update.batchKey);
    }
    if (targets.size === 0) return;

    const open = new Set((await db.firmwareUpdate.findMany({ where: { tenantId, status: { in: [...openStatuses] } }, select: { deviceId: true, component: true } })).map((row) => `${row.deviceId}|${row.component}`));
    const devices = await db.device.findMany({
      where: { tenantId, model: { not: null } },
      select: { id: true, mac: true, location: true, model: true, firmwareVersion: true, inventory: { select: { manufacturer: true, teamsVersion: true, components: true, updatePhase: true } } },
    });
    result.devices += devices.length;
    // Many devices share a model and a version: each is matched and looked up once.
    const families = new Map<string, ModelFamily | null>();
    const known = new Map<string, boolean>();
    const rows: Prisma.FirmwareUpdateCreateManyInput[] = [];
    for (const device of devices) {
      const makerModel = `${device.inventory?.manufacturer ?? ''}|${device.model}`;
      let family = families.get(makerModel);
      if (family === undefined) {
        const match = matchModel(catalog, device.inventory?.manufacturer ?? null, device.model);
        families.set(makerModel, (family = match.known ? match.family : null));
      }
      if (!family) continue;
      const phase: Phase = updates.phaseOf(settings, device);
      for (const component of autoComponents) {
        const target = targets.get(`${family.id}|${component}|${phase}`);
        if (!target || open.has(`${device.id}|${component}`)) continue;
        const current = updates.currentVersion(device, component);
        if (current === null || (compareVersions(current, target.version) ?? 1) >= 0) continue;
        const knownKey = `${family.id}|${component}|${current}`;
        let currentKnown = known.get(knownKey);
        if (currentKnown === undefined) known.set(knownKey, (currentKnown = isKnownVersion(catalog, family.id, component, current)));
        const decision = autoApplies({ label: target.label, releasedAt: new Date(`${target.released}T00:00:00Z`), phase, component, currentKnown, pausedUntil: settings.pausedUntil, now });
        if (!decision.applies) continue;
        const step = nextStep(catalog.releases, current, target);
        const slot = startInWindow(device.mac, windowIn(zoneOf(device.location)), now);
        const batch = device.location ? { batchKey: `location:${locationKeyOf(device.location)}`, batchLabel: device.location } : { batchKey: `model:${family.id}`, batchLabel: family.name };
        batches.add(batch.batchKey);
        rows.push({ id: newId(), tenantId, deviceId: device.id, mac: device.mac, component, version: step.version, target: target.version, fromVersion: current, mode: 'auto', status: 'scheduled', ...slot, ...batch, attempt: 1, requestedBy: 'job:plan-updates', createdAt: now, updatedAt: now });
      }
    }
    await db.$transaction(async (tx) => {
      for (let start = 0; start < rows.length; start += 2000) await tx.firmwareUpdate.createMany({ data: rows.slice(start, start + 2000) });
      for (const batchKey of batches) await enqueueEvent(tx, { kind: 'firmware.batch_changed', tenantId, batchKey }, now);
    });
    result.planned += rows.length;
  }

  return {
    /** Plans every tenant's due automatic updates. */
    async planDue(now: Date): Promise<PlanResult> {
      const result: PlanResult = { tenants: 0, devices: 0, planned: 0, moved: 0, paused: 0 };
      const tenants = await db.tenant.findMany({ select: { id: true } });
      for (const tenant of tenants) {
        result.tenants++;
        await planTenant(tenant.id, now, result);
      }
      return result;
    },
  };
}

export type UpdatePlanner = ReturnType<typeof createUpdatePlanner>;
