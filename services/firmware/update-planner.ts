// Plans the automatic updates that are due (the `plan-updates` job, every 15 minutes): for each
// device, the newest verified release its phase has reached, in its next maintenance window,
// at the slot the hash of its MAC picks. Devices on versions the catalog does not know, tenants
// that paused updates, and devices with an update already open are left alone. Scheduled
// automatic updates whose window passed unused move to the next window.
import type { Database } from '../../prisma/store.ts';
import { Prisma } from '../../generated/sqlite/client.ts';
import { insertRows, type CompleteRow } from '../../prisma/bulk-write.ts';
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

/** A device as the planner reads it: one row per device, its inventory joined. */
interface PlannedDeviceRow {
  id: string;
  mac: string;
  location: string | null;
  model: string | null;
  firmwareVersion: string | null;
  manufacturer: string | null;
  teamsVersion: string | null;
  components: string | null;
  updatePhase: string | null;
}

export interface TenantPlan {
  paused: boolean;
  devices: number;
  rows: CompleteRow<'FirmwareUpdate'>[];
  /** Scheduled automatic updates whose window passed unstarted, with their next slot. */
  missed: { id: string; notBefore: Date; notAfter: Date; batchKey: string }[];
  batches: Set<string>;
}

export function createUpdatePlanner(db: Database, firmware: Firmware, updates: Updates) {
  /** The read side: what one tenant's due automatic updates are (nothing written). */
  async function planTenant(tenantId: string, now: Date): Promise<TenantPlan> {
    const plan: TenantPlan = { paused: false, devices: 0, rows: [], missed: [], batches: new Set() };
    const settings = await updates.settingsOf(db, tenantId);
    if (settings.pausedUntil && settings.pausedUntil.getTime() > now.getTime()) return { ...plan, paused: true };
    const catalog = await firmware.catalogOf(tenantId);
    const targets = targetsOf(catalog, now);
    const zoneOf = await updates.zonesOf(db, tenantId);
    const windows = new Map<string, Window>();
    const windowIn = (zone: string) => {
      let window = windows.get(zone);
      if (!window) windows.set(zone, (window = windowAtOrAfter(now, zone, settings.window)));
      return window;
    };

    // Automatic updates whose window passed unstarted wait for the next one.
    const missed = await db.firmwareUpdate.findMany({ where: { tenantId, mode: 'auto', status: 'scheduled', notAfter: { lte: now } }, select: { id: true, mac: true, batchKey: true, device: { select: { location: true } } } });
    for (const update of missed) {
      plan.missed.push({ id: update.id, batchKey: update.batchKey, ...startInWindow(update.mac, windowIn(zoneOf(update.device.location)), now) });
      plan.batches.add(update.batchKey);
    }
    if (targets.size === 0) return plan;

    const open = new Set((await db.firmwareUpdate.findMany({ where: { tenantId, status: { in: [...openStatuses] } }, select: { deviceId: true, component: true } })).map((row) => `${row.deviceId}|${row.component}`));
    // Only devices of models that may have something due are read: the distinct models first
    // (a few dozen), then their devices in one query with the inventory joined. A model the
    // catalog could give to two manufacturers is read too (its devices' manufacturer decides).
    const familiesWithTargets = new Set([...targets.values()].map((release) => release.family));
    const models = (await db.$queryRaw<{ model: string }[]>(Prisma.sql`SELECT DISTINCT "model" AS "model" FROM "Device" WHERE "tenantId" = ${tenantId} AND "model" IS NOT NULL`)).map((row) => row.model);
    const candidates = models.filter((model) => {
      const match = matchModel(catalog, null, model);
      return match.known ? familiesWithTargets.has(match.family.id) : match.why.includes('could be');
    });
    if (candidates.length === 0) return plan;
    const devices = await db.$queryRaw<PlannedDeviceRow[]>(Prisma.sql`
      SELECT d."id" AS "id", d."mac" AS "mac", d."location" AS "location", d."model" AS "model", d."firmwareVersion" AS "firmwareVersion",
             i."manufacturer" AS "manufacturer", i."teamsVersion" AS "teamsVersion", i."components" AS "components", i."updatePhase" AS "updatePhase"
      FROM "Device" d LEFT JOIN "DeviceInventory" i ON i."deviceId" = d."id"
      WHERE d."tenantId" = ${tenantId} AND d."model" IN (${Prisma.join(candidates)})`);
    plan.devices = devices.length;
    // Many devices share a model and a version: each is matched and looked up once.
    const families = new Map<string, ModelFamily | null>();
    const known = new Map<string, boolean>();
    for (const row of devices) {
      const device = { location: row.location, firmwareVersion: row.firmwareVersion, inventory: { teamsVersion: row.teamsVersion, components: row.components ?? '{}', updatePhase: row.updatePhase } };
      const makerModel = `${row.manufacturer ?? ''}|${row.model}`;
      let family = families.get(makerModel);
      if (family === undefined) {
        const match = matchModel(catalog, row.manufacturer, row.model);
        families.set(makerModel, (family = match.known ? match.family : null));
      }
      if (!family) continue;
      const phase: Phase = updates.phaseOf(settings, device);
      for (const component of autoComponents) {
        const target = targets.get(`${family.id}|${component}|${phase}`);
        if (!target || open.has(`${row.id}|${component}`)) continue;
        const current = updates.currentVersion(device, component);
        if (current === null || (compareVersions(current, target.version) ?? 1) >= 0) continue;
        const knownKey = `${family.id}|${component}|${current}`;
        let currentKnown = known.get(knownKey);
        if (currentKnown === undefined) known.set(knownKey, (currentKnown = isKnownVersion(catalog, family.id, component, current)));
        const decision = autoApplies({ label: target.label, releasedAt: new Date(`${target.released}T00:00:00Z`), phase, component, currentKnown, pausedUntil: settings.pausedUntil, now });
        if (!decision.applies) continue;
        const step = nextStep(catalog.releases, current, target);
        const slot = startInWindow(row.mac, windowIn(zoneOf(row.location)), now);
        const batch = row.location ? { batchKey: `location:${locationKeyOf(row.location)}`, batchLabel: row.location } : { batchKey: `model:${family.id}`, batchLabel: family.name };
        plan.batches.add(batch.batchKey);
        plan.rows.push({ id: newId(), tenantId, deviceId: row.id, mac: row.mac, component, version: step.version, target: target.version, fromVersion: current, mode: 'auto', status: 'scheduled', ...slot, ...batch, attempt: 1, busyCount: 0, detail: null, requestedBy: 'job:plan-updates', createdAt: now, updatedAt: now, finishedAt: null });
      }
    }
    return plan;
  }

  /** The write side: the planned rows, the moved ones, and one card event per batch, in one transaction. */
  async function apply(tenantId: string, plan: TenantPlan, now: Date): Promise<void> {
    if (plan.rows.length === 0 && plan.missed.length === 0) return;
    await db.$transaction(async (tx) => {
      for (const moved of plan.missed) await tx.firmwareUpdate.updateMany({ where: { id: moved.id, status: 'scheduled' }, data: { notBefore: moved.notBefore, notAfter: moved.notAfter } });
      await insertRows(tx, 'FirmwareUpdate', plan.rows);
      for (const batchKey of plan.batches) await enqueueEvent(tx, { kind: 'firmware.batch_changed', tenantId, batchKey }, now);
    });
  }

  return {
    planTenant,

    /** Plans every tenant's due automatic updates. */
    async planDue(now: Date): Promise<PlanResult> {
      const result: PlanResult = { tenants: 0, devices: 0, planned: 0, moved: 0, paused: 0 };
      const tenants = await db.tenant.findMany({ select: { id: true } });
      for (const tenant of tenants) {
        result.tenants++;
        const plan = await planTenant(tenant.id, now);
        if (plan.paused) result.paused++;
        await apply(tenant.id, plan, now);
        result.devices += plan.devices;
        result.planned += plan.rows.length;
        result.moved += plan.missed.length;
      }
      return result;
    },
  };
}

export type UpdatePlanner = ReturnType<typeof createUpdatePlanner>;
