// Plans the automatic updates that are due (the `plan-updates` job, every 15 minutes): for each
// device, the newest verified release its phase has reached, in its next maintenance window,
// at the slot the hash of its MAC picks. Devices on versions the catalog does not know, tenants
// that paused updates, and devices with an update already open are left alone. Scheduled
// automatic updates whose window passed unused move to the next window.
import type { Database } from '../../prisma/store.ts';
import { Prisma } from '../../generated/sqlite/client.ts';
import { insertRows, type CompleteRow } from '../../prisma/bulk-write.ts';
import { queryRows } from '../../prisma/direct-sqlite.ts';
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

/** A target of one family and phase, with what the planning decided for it so far. */
interface TargetPlan {
  component: Component;
  target: CatalogRelease;
  /** Whether it applies, by whether the device's current version is known (autoApplies). */
  applies: Map<boolean, boolean>;
  /** Whether the catalog knows a current version. */
  known: Map<string, boolean>;
  /** The step from a current version towards the target (nextStep). */
  steps: Map<string, CatalogRelease>;
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

    // The components of each device with an update open (deviceId → components).
    const open = new Map<string, Set<string>>();
    for (const row of await db.firmwareUpdate.findMany({ where: { tenantId, status: { in: [...openStatuses] } }, select: { deviceId: true, component: true } })) {
      const components = open.get(row.deviceId) ?? new Set<string>();
      components.add(row.component);
      open.set(row.deviceId, components);
    }
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
    // On the embedded driver directly (prisma/direct-sqlite.ts): tens of thousands of rows, and
    // Prisma's row conversion was a fifth of the planning.
    const devices = await queryRows<PlannedDeviceRow>(db, Prisma.sql`
      SELECT d."id" AS "id", d."mac" AS "mac", d."location" AS "location", d."model" AS "model", d."firmwareVersion" AS "firmwareVersion",
             i."manufacturer" AS "manufacturer", i."teamsVersion" AS "teamsVersion", i."components" AS "components", i."updatePhase" AS "updatePhase"
      FROM "Device" d LEFT JOIN "DeviceInventory" i ON i."deviceId" = d."id"
      WHERE d."tenantId" = ${tenantId} AND d."model" IN (${Prisma.join(candidates)})`, []);
    plan.devices = devices.length;
    // Many devices share a model, a version and a location: each is matched, looked up and
    // decided once per planning. Per family and phase, the components with a target, each with
    // what depends only on that target: whether it applies (by whether the device's version is
    // known), the known versions, the step from each version: the same answers for tens of
    // thousands of devices at a big site (55,125 in the updates benchmark).
    const families = new Map<string | null, Map<string | null, ModelFamily | null>>();
    const familyOf = (manufacturer: string | null, model: string | null): ModelFamily | null => {
      let byModel = families.get(manufacturer);
      if (!byModel) families.set(manufacturer, (byModel = new Map()));
      let family = byModel.get(model);
      if (family === undefined) {
        const match = matchModel(catalog, manufacturer, model);
        byModel.set(model, (family = match.known ? match.family : null));
      }
      return family;
    };
    const targetPlans = new Map<ModelFamily, Map<Phase, TargetPlan[]>>();
    const targetPlansOf = (family: ModelFamily, phase: Phase): TargetPlan[] => {
      let byPhase = targetPlans.get(family);
      if (!byPhase) targetPlans.set(family, (byPhase = new Map()));
      let plans = byPhase.get(phase);
      if (!plans) {
        plans = [];
        for (const component of autoComponents) {
          const target = targets.get(`${family.id}|${component}|${phase}`);
          if (target) plans.push({ component, target, applies: new Map(), known: new Map(), steps: new Map() });
        }
        byPhase.set(phase, plans);
      }
      return plans;
    };
    const locationBatches = new Map<string, { batchKey: string; batchLabel: string }>();
    const locationBatchOf = (location: string) => {
      let batch = locationBatches.get(location);
      if (!batch) locationBatches.set(location, (batch = { batchKey: `location:${locationKeyOf(location)}`, batchLabel: location }));
      return batch;
    };
    for (const row of devices) {
      const family = familyOf(row.manufacturer, row.model);
      if (!family) continue;
      const device = { location: row.location, firmwareVersion: row.firmwareVersion, inventory: { teamsVersion: row.teamsVersion, components: row.components ?? '{}', updatePhase: row.updatePhase } };
      const phase: Phase = updates.phaseOf(settings, device);
      for (const { component, target, applies, known, steps } of targetPlansOf(family, phase)) {
        if (open.get(row.id)?.has(component)) continue;
        const current = updates.currentVersion(device, component);
        if (current === null || (compareVersions(current, target.version) ?? 1) >= 0) continue;
        let currentKnown = known.get(current);
        if (currentKnown === undefined) known.set(current, (currentKnown = isKnownVersion(catalog, family.id, component, current)));
        let due = applies.get(currentKnown);
        if (due === undefined) applies.set(currentKnown, (due = autoApplies({ label: target.label, releasedAt: new Date(`${target.released}T00:00:00Z`), phase, component, currentKnown, pausedUntil: settings.pausedUntil, now }).applies));
        if (!due) continue;
        let step = steps.get(current);
        if (step === undefined) steps.set(current, (step = nextStep(catalog.releases, current, target)));
        const slot = startInWindow(row.mac, windowIn(zoneOf(row.location)), now);
        const batch = row.location ? locationBatchOf(row.location) : { batchKey: `model:${family.id}`, batchLabel: family.name };
        plan.batches.add(batch.batchKey);
        plan.rows.push({
          id: newId(),
          tenantId,
          deviceId: row.id,
          mac: row.mac,
          component,
          version: step.version,
          target: target.version,
          fromVersion: current,
          mode: 'auto',
          status: 'scheduled',
          notBefore: slot.notBefore,
          notAfter: slot.notAfter,
          batchKey: batch.batchKey,
          batchLabel: batch.batchLabel,
          attempt: 1,
          busyCount: 0,
          detail: null,
          requestedBy: 'job:plan-updates',
          createdAt: now,
          updatedAt: now,
          finishedAt: null,
        });
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
