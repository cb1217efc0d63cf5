// The firmware catalog as a tenant sees it (the shipped table plus the releases its admins
// added), what devices report about themselves (POST /inventory), the readiness of the fleet
// and of one device, and the readiness check at provisioning (the FIRMWARE_BELOW_MINIMUM policy).
import { Prisma } from '../../generated/sqlite/client.ts';
import { queryRows } from '../../prisma/direct-sqlite.ts';
import type { Database, DatabaseOrTransaction } from '../../prisma/store.ts';
import { isUniqueViolation } from '../../prisma/unique-violation.ts';
import { recordAudit } from '../devices/audit-log.ts';
import { findDeviceByMac, type Device } from '../devices/device-repository.ts';
import { parseMac } from '../devices/mac-address.ts';
import { enqueueEvent } from '../notifications/outbox.ts';
import type { Actor } from '../shared/actor.ts';
import type { Clock } from '../shared/clock.ts';
import { DomainError } from '../shared/errors.ts';
import { newId } from '../shared/random.ts';
import { catalogFileSchema, components, isKnownVersion, matchModel, releaseLabels, shippedCatalog, type Catalog, type CatalogRelease, type Component, type ModelFamily, type ModelMatch, type ReleaseLabel } from './catalog.ts';
import { firmwareReadiness, readinessOfMatch, type FirmwareReadiness, type ReportedDevice } from './readiness.ts';
import { canonicalVersion, compareVersions, parseVersion } from './versions.ts';

export type BelowMinimumPolicy = 'warn' | 'block';

export interface FirmwareSettingsInput {
  /** FIRMWARE_BELOW_MINIMUM: provision with a warning on the admins' card, or refuse. */
  belowMinimum: BelowMinimumPolicy;
}

/** What devices report is shown to admins: letters, digits, spaces and a few separators only (as at provisioning). */
const reportedText = /^[\p{L}\p{N} .,_+()\-/]{1,100}$/u;

export interface InventoryReport {
  manufacturer?: string | null;
  model?: string | null;
  firmwareVersion?: string | null;
  teamsVersion?: string | null;
  /** Other components' versions: companyPortal, adminAgent, partnerAgent. */
  components?: Partial<Record<Component, string>>;
}

/** The inventory a device sent, checked; unknown fields and text that could be markup are refused. */
export function checkInventory(body: Record<string, unknown>): InventoryReport {
  const known = new Set(['manufacturer', 'model', 'firmwareVersion', 'teamsVersion', 'components']);
  const unknown = Object.keys(body).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new DomainError('invalid_input', `Unknown field ${unknown.map((key) => `"${key.slice(0, 40)}"`).join(', ')}: send manufacturer, model, firmwareVersion, teamsVersion, components.`);
  const report: InventoryReport = {};
  for (const field of ['manufacturer', 'model', 'firmwareVersion', 'teamsVersion'] as const) {
    const value = body[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || !reportedText.test(value.trim())) throw new DomainError('invalid_input', `${field}: up to 100 letters, digits, spaces and . , _ + ( ) - / only.`);
    report[field] = value.trim();
  }
  if (body.components !== undefined && body.components !== null) {
    const given = body.components;
    if (typeof given !== 'object' || Array.isArray(given)) throw new DomainError('invalid_input', 'components: an object such as {"companyPortal": "5.0.6"}.');
    const versions: Partial<Record<Component, string>> = {};
    for (const [name, version] of Object.entries(given as Record<string, unknown>)) {
      if (!(components as readonly string[]).includes(name) || name === 'firmware' || name === 'teams') throw new DomainError('invalid_input', `components: "${name.slice(0, 40)}" is not one of companyPortal, adminAgent, partnerAgent.`);
      if (typeof version !== 'string' || !reportedText.test(version.trim())) throw new DomainError('invalid_input', `components.${name}: a version such as 5.0.6.`);
      versions[name as Component] = version.trim();
    }
    report.components = versions;
  }
  if (Object.keys(report).length === 0) throw new DomainError('invalid_input', 'Report at least one of manufacturer, model, firmwareVersion, teamsVersion, components.');
  return report;
}

export interface FamilyReadiness {
  family: string;
  familyId: string;
  minimum: string | null;
  devices: number;
  belowMinimum: number;
  unknownVersion: number;
  updatesAvailable: number;
  newestVerified: string | null;
}

export interface FleetReadiness {
  devices: number;
  belowMinimum: number;
  unknownVersion: number;
  updatesAvailable: number;
  families: FamilyReadiness[];
  /** Devices whose model the catalog does not know, with why (grouped by reported model). */
  unknownModels: { model: string; devices: number; why: string }[];
}

export interface DeviceFirmware {
  device: Device;
  manufacturer: string | null;
  teamsVersion: string | null;
  readiness: FirmwareReadiness;
  match: string;
  versionKnown: boolean;
  /** Newer releases of the device's family, newest first. */
  newer: { component: Component; version: string; label: ReleaseLabel; released: string }[];
}

/** "Yealink T56A" as it was typed, a family id or name → the family, or the refusal that explains. */
export function familyNamed(catalog: Catalog, text: string): ModelFamily {
  const byId = catalog.families.find((family) => family.id === text.trim().toLowerCase());
  if (byId) return byId;
  const match = matchModel(catalog, null, text);
  if (match.known) return match.family;
  throw new DomainError('invalid_input', `Unknown model: ${match.why}. Name it as the catalog does (e.g. "Yealink T55/T56/T58") or as a device reports it (e.g. "Yealink T56A"); "firmware" lists the families.`);
}

async function storedReleases(tx: DatabaseOrTransaction, tenantId: string): Promise<CatalogRelease[]> {
  const rows = await tx.firmwareRelease.findMany({ where: { tenantId }, orderBy: { releasedAt: 'asc' } });
  return rows.map((row) => ({
    family: row.family,
    component: row.component as Component,
    version: row.version,
    released: row.releasedAt.toISOString().slice(0, 10),
    label: row.label as ReleaseLabel,
    ...(row.requires ? { requires: row.requires } : {}),
  }));
}

/** The shipped catalog with this tenant's releases added. */
export async function tenantCatalog(tx: DatabaseOrTransaction, tenantId: string): Promise<Catalog> {
  return { ...shippedCatalog, releases: [...shippedCatalog.releases, ...(await storedReleases(tx, tenantId))] };
}

/** Newest release of a family and component with the label (any label when null), or null. */
export function newestRelease(catalog: Catalog, familyId: string, component: Component, label: ReleaseLabel | null): CatalogRelease | null {
  let newest: CatalogRelease | null = null;
  for (const release of catalog.releases) {
    if (release.family !== familyId || release.component !== component || (label && release.label !== label)) continue;
    if (!newest || (compareVersions(release.version, newest.version) ?? 0) > 0) newest = release;
  }
  return newest;
}

export type ReportedGroup = { manufacturer: string | null; model: string | null; firmwareVersion: string | null; devices: number };
export type GroupRow = { manufacturer?: string | null; model: string | null; firmwareVersion: string | null; devices: number | bigint | string };

/**
 * The tenant's devices counted per reported manufacturer, model and firmware version. Two
 * grouped reads instead of one join: the devices per model and version come from an index alone
 * (Device tenantId, model, firmwareVersion), and only the devices that reported a manufacturer
 * (their inventory) are joined, then taken out of the manufacturer-less groups. The join over a
 * 100,000-device fleet cost the digest most of its time.
 */
async function reportedGroups(db: DatabaseOrTransaction, tenantId: string): Promise<ReportedGroup[]> {
  const [byModel, withManufacturer] = await Promise.all([
    db.$queryRaw<GroupRow[]>(Prisma.sql`
      SELECT "model", "firmwareVersion", COUNT(*) AS "devices" FROM "Device"
      WHERE "tenantId" = ${tenantId} GROUP BY "model", "firmwareVersion"`),
    db.$queryRaw<GroupRow[]>(Prisma.sql`
      SELECT i."manufacturer" AS "manufacturer", d."model" AS "model", d."firmwareVersion" AS "firmwareVersion", COUNT(*) AS "devices"
      FROM "DeviceInventory" i JOIN "Device" d ON d."id" = i."deviceId"
      WHERE i."tenantId" = ${tenantId} AND i."manufacturer" IS NOT NULL
      GROUP BY i."manufacturer", d."model", d."firmwareVersion"`),
  ]);
  return mergeReportedGroups(byModel, withManufacturer);
}

/** The groups per model and version, with the devices that reported a manufacturer taken out into their own groups. */
export function mergeReportedGroups(byModel: readonly GroupRow[], withManufacturer: readonly GroupRow[]): ReportedGroup[] {
  const keyOf = (row: GroupRow) => JSON.stringify([row.model, row.firmwareVersion]);
  const withoutManufacturer = new Map(byModel.map((row) => [keyOf(row), { manufacturer: null, model: row.model, firmwareVersion: row.firmwareVersion, devices: Number(row.devices) }]));
  const groups: ReportedGroup[] = [];
  for (const row of withManufacturer) {
    const devices = Number(row.devices);
    groups.push({ manufacturer: row.manufacturer ?? null, model: row.model, firmwareVersion: row.firmwareVersion, devices });
    const rest = withoutManufacturer.get(keyOf(row));
    if (rest) rest.devices -= devices;
  }
  for (const rest of withoutManufacturer.values()) if (rest.devices > 0) groups.push(rest);
  return groups;
}

/**
 * Readiness of a tenant's fleet per family (`firmware`, the digest's firmware line). Devices are
 * counted per reported manufacturer, model and version in the store, so a fleet of 100,000
 * phones of a few models is a few dozen groups to match.
 */
export async function fleetReadiness(db: DatabaseOrTransaction, tenantId: string): Promise<FleetReadiness> {
  const [catalog, groups] = await Promise.all([tenantCatalog(db, tenantId), reportedGroups(db, tenantId)]);
  return readinessOfGroups(catalog, groups);
}

/** The fleet's readiness from its devices counted per reported manufacturer, model and version. */
export function readinessOfGroups(catalog: Catalog, groups: readonly ReportedGroup[]): FleetReadiness {
  const families = new Map<string, FamilyReadiness>();
  const unknownModels = new Map<string, { model: string; devices: number; why: string }>();
  const total = { devices: 0, belowMinimum: 0, unknownVersion: 0, updatesAvailable: 0 };
  // Groups are per version: match each reported model once (tolerant matching is the costly part).
  const matches = new Map<string, ModelMatch>();
  const matchOf = (manufacturer: string | null, model: string | null): ModelMatch => {
    const key = JSON.stringify([manufacturer, model]);
    let match = matches.get(key);
    if (!match) matches.set(key, (match = matchModel(catalog, manufacturer, model)));
    return match;
  };
  const newestVerified = new Map<string, CatalogRelease | null>();
  for (const group of groups) {
    const count = Number(group.devices);
    total.devices += count;
    const readiness = readinessOfMatch(matchOf(group.manufacturer, group.model), group.firmwareVersion, catalog);
    if (!readiness.familyId) {
      const shown = [group.manufacturer, group.model].filter(Boolean).join(' ') || 'no model reported';
      const row = unknownModels.get(shown) ?? { model: shown, devices: 0, why: readiness.reason };
      row.devices += count;
      unknownModels.set(shown, row);
      continue;
    }
    if (!newestVerified.has(readiness.familyId)) newestVerified.set(readiness.familyId, newestRelease(catalog, readiness.familyId, 'firmware', 'verified'));
    const newest = newestVerified.get(readiness.familyId) ?? null;
    const row = families.get(readiness.familyId) ?? { family: readiness.family ?? readiness.familyId, familyId: readiness.familyId, minimum: readiness.minimum ?? null, devices: 0, belowMinimum: 0, unknownVersion: 0, updatesAvailable: 0, newestVerified: newest?.version ?? null };
    row.devices += count;
    if (readiness.state === 'below_minimum') row.belowMinimum += count;
    if (!isKnownVersion(catalog, readiness.familyId, 'firmware', group.firmwareVersion)) row.unknownVersion += count;
    if (newest && (compareVersions(group.firmwareVersion, newest.version) ?? 1) < 0) row.updatesAvailable += count;
    families.set(readiness.familyId, row);
  }
  for (const row of families.values()) {
    total.belowMinimum += row.belowMinimum;
    total.unknownVersion += row.unknownVersion;
    total.updatesAvailable += row.updatesAvailable;
  }
  return { ...total, families: [...families.values()].sort((a, b) => a.family.localeCompare(b.family)), unknownModels: [...unknownModels.values()].sort((a, b) => b.devices - a.devices) };
}

export function createFirmware(db: Database, clock: Clock, settings: FirmwareSettingsInput) {
  /** The shipped catalog with this tenant's releases added. */
  const catalogOf = (tenantId: string, tx: DatabaseOrTransaction = db): Promise<Catalog> => tenantCatalog(tx, tenantId);

  async function saveInventory(tx: DatabaseOrTransaction, device: { id: string; tenantId: string }, report: InventoryReport, now: Date): Promise<void> {
    const data = {
      ...(report.manufacturer !== undefined ? { manufacturer: report.manufacturer } : {}),
      ...(report.teamsVersion !== undefined ? { teamsVersion: report.teamsVersion } : {}),
      ...(report.components ? { components: JSON.stringify(report.components) } : {}),
      reportedAt: now,
    };
    await tx.deviceInventory.upsert({ where: { deviceId: device.id }, create: { deviceId: device.id, tenantId: device.tenantId, ...data }, update: data });
  }

  const api = {
    catalogOf,
    newestRelease,

    /**
     * The readiness check at provisioning (services/devices/provisioning.ts calls it before the
     * code is used): records the reported manufacturer, and under the `block` policy refuses a
     * device below its model's minimum (the admins are told through the outbox; the code stays
     * valid, so the technician provisions again once the firmware is updated).
     */
    provisionGate: {
      async check(tx: DatabaseOrTransaction, device: { id: string; tenantId: string; mac: string; location: string | null }, reported: ReportedDevice, now: Date): Promise<DomainError | null> {
        if (reported.manufacturer) await saveInventory(tx, device, { manufacturer: reported.manufacturer }, now);
        // Written as SQL: every provision asks it (run on the driver itself in the device API's transactions, prisma/direct-sqlite.ts).
        const manufacturer = reported.manufacturer ?? (await queryRows<{ manufacturer: string | null }>(tx, Prisma.sql`SELECT "manufacturer" FROM "DeviceInventory" WHERE "deviceId" = ${device.id}`, []))[0]?.manufacturer ?? null;
        const readiness = firmwareReadiness({ ...reported, manufacturer });
        if (readiness.state !== 'below_minimum' || settings.belowMinimum !== 'block') return null;
        await enqueueEvent(
          tx,
          { kind: 'firmware.provision_refused', tenantId: device.tenantId, deviceId: device.id, mac: device.mac, location: device.location, model: reported.model ?? null, firmwareVersion: reported.firmwareVersion ?? null, minimum: readiness.minimum ?? '', family: readiness.family ?? '' },
          now,
          `firmware-refused:${device.id}:${reported.firmwareVersion ?? ''}`,
        );
        return new DomainError(
          'firmware_below_minimum',
          `Firmware ${reported.firmwareVersion} is below ${readiness.minimum}, the minimum for remote provisioning of ${readiness.family}. Update the device's firmware to ${readiness.minimum} or later, then enter the same code again; your admin has been told.`,
          { minimum: readiness.minimum ?? '', family: readiness.family ?? '', firmwareVersion: reported.firmwareVersion ?? '' },
        );
      },
    },

    /** Readiness of one stored device (its manufacturer from its inventory). */
    async readinessOf(device: Pick<Device, 'id' | 'model' | 'firmwareVersion'>): Promise<FirmwareReadiness> {
      const inventory = await db.deviceInventory.findUnique({ where: { deviceId: device.id }, select: { manufacturer: true } });
      return firmwareReadiness({ manufacturer: inventory?.manufacturer ?? null, model: device.model, firmwareVersion: device.firmwareVersion });
    },

    /** A device reports what it runs (after provisioning, after an update, whenever it changes). */
    async reportInventory(device: Device, body: Record<string, unknown>): Promise<{ model: string | null; firmwareVersion: string | null; manufacturer: string | null; teamsVersion: string | null }> {
      const report = checkInventory(body);
      const now = clock.now();
      return db.$transaction(async (tx) => {
        const before = await tx.device.findUnique({ where: { id: device.id }, select: { model: true, firmwareVersion: true } });
        const inventoryBefore = await tx.deviceInventory.findUnique({ where: { deviceId: device.id } });
        const set = {
          ...(report.model !== undefined ? { model: report.model } : {}),
          ...(report.firmwareVersion !== undefined ? { firmwareVersion: report.firmwareVersion } : {}),
        };
        if (Object.keys(set).length > 0) await tx.device.update({ where: { id: device.id }, data: set });
        await saveInventory(tx, device, report, now);
        const changed = Object.fromEntries(
          Object.entries({ model: [before?.model, report.model], firmwareVersion: [before?.firmwareVersion, report.firmwareVersion], manufacturer: [inventoryBefore?.manufacturer, report.manufacturer], teamsVersion: [inventoryBefore?.teamsVersion, report.teamsVersion] })
            .filter(([, [was, now]]) => now !== undefined && was !== now)
            .map(([field, [was, now]]) => [field, { from: was ?? null, to: now }]),
        );
        if (Object.keys(changed).length > 0) await recordAudit(tx, { tenantId: device.tenantId, deviceId: device.id, actor: { kind: 'device', mac: device.mac }, action: 'device.inventory', data: changed }, now);
        const after = await tx.deviceInventory.findUnique({ where: { deviceId: device.id } });
        return {
          model: report.model ?? before?.model ?? null,
          firmwareVersion: report.firmwareVersion ?? before?.firmwareVersion ?? null,
          manufacturer: after?.manufacturer ?? null,
          teamsVersion: after?.teamsVersion ?? null,
        };
      });
    },

    /** `firmware`: per family, how many devices, below the minimum, on unknown versions, with an update available. */
    fleet: (tenantId: string): Promise<FleetReadiness> => fleetReadiness(db, tenantId),

    /** `firmware MAC`: one device's readiness, how its model was matched, and newer releases. */
    async device(tenantId: string, macText: string): Promise<DeviceFirmware> {
      const parsed = parseMac(macText);
      if (!parsed.ok) throw new DomainError('invalid_input', `${parsed.reason}. Example: "firmware 00-04-F2-81-24-B3".`);
      const device = await findDeviceByMac(db, tenantId, parsed.mac);
      if (!device) throw new DomainError('not_found', `No device ${parsed.mac} is registered here. "list" shows the registered devices.`);
      const catalog = await catalogOf(tenantId);
      const inventory = await db.deviceInventory.findUnique({ where: { deviceId: device.id } });
      const manufacturer = inventory?.manufacturer ?? null;
      const readiness = firmwareReadiness({ manufacturer, model: device.model, firmwareVersion: device.firmwareVersion }, catalog);
      const match = matchModel(catalog, manufacturer, device.model);
      const current: Partial<Record<Component, string | null>> = { firmware: device.firmwareVersion, teams: inventory?.teamsVersion ?? null, ...(JSON.parse(inventory?.components ?? '{}') as Record<string, string>) };
      const newer = readiness.familyId
        ? catalog.releases
            .filter((release) => release.family === readiness.familyId && (compareVersions(current[release.component] ?? null, release.version) ?? -1) < 0)
            .sort((a, b) => (compareVersions(b.version, a.version) ?? 0))
            .map((release) => ({ component: release.component, version: release.version, label: release.label, released: release.released }))
        : [];
      return {
        device,
        manufacturer,
        teamsVersion: inventory?.teamsVersion ?? null,
        readiness,
        match: match.known ? match.how : match.why,
        versionKnown: readiness.familyId ? isKnownVersion(catalog, readiness.familyId, 'firmware', device.firmwareVersion) : false,
        newer,
      };
    },

    /** `firmware release MODEL COMPONENT VERSION [verified|preview] [released DATE]`: audited. */
    async addRelease(actor: Actor, tenantId: string, input: { model: string; component: Component; version: string; label: ReleaseLabel; released?: string | null; requires?: string | null }): Promise<{ family: ModelFamily; version: string; label: ReleaseLabel; released: string; replaced: boolean }> {
      const catalog = await catalogOf(tenantId);
      const family = familyNamed(catalog, input.model);
      const version = canonicalVersion(input.version);
      if (!version) throw new DomainError('invalid_input', `"${input.version}" is not a version: write dotted numbers, e.g. 58.15.0.130.`);
      if (!(releaseLabels as readonly string[]).includes(input.label)) throw new DomainError('invalid_input', 'The label is verified or preview.');
      const now = clock.now();
      const released = input.released ?? now.toISOString().slice(0, 10);
      const releasedAt = new Date(`${released}T00:00:00Z`);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(released) || Number.isNaN(releasedAt.getTime())) throw new DomainError('invalid_input', `"${released}" is not a date: write YYYY-MM-DD, e.g. released 2026-11-30.`);
      if (releasedAt.getTime() > now.getTime() + 24 * 3_600_000) throw new DomainError('invalid_input', `The release date ${released} is in the future: add a release once it is out.`);
      if (input.requires && !parseVersion(input.requires)) throw new DomainError('invalid_input', `"${input.requires}" is not a version.`);
      return db.$transaction(async (tx) => {
        await tx.tenant.upsert({ where: { id: tenantId }, create: { id: tenantId }, update: {} }).catch((error: unknown) => {
          if (!isUniqueViolation(error)) throw error;
        });
        const key = { tenantId_family_component_versionKey: { tenantId, family: family.id, component: input.component, versionKey: version } };
        const existing = await tx.firmwareRelease.findUnique({ where: key });
        const data = { version: input.version.trim(), releasedAt, label: input.label, requires: input.requires ?? null };
        if (existing) await tx.firmwareRelease.update({ where: key, data });
        else await tx.firmwareRelease.create({ data: { id: newId(), tenantId, family: family.id, component: input.component, versionKey: version, addedBy: actor.kind === 'user' ? `user:${actor.id}` : actor.kind, ...data } });
        await recordAudit(tx, { tenantId, deviceId: null, actor, action: existing ? 'firmware.release_changed' : 'firmware.release_added', data: { family: family.id, component: input.component, version: input.version.trim(), label: input.label, released, ...(existing ? { was: { label: existing.label, released: existing.releasedAt.toISOString().slice(0, 10) } } : {}) } }, now);
        return { family, version: input.version.trim(), label: input.label, released, replaced: existing !== null };
      });
    },

    /** `firmware import`: a catalog file (JSON, the shape of services/firmware/catalog.json); its releases are added. */
    async importCatalog(actor: Actor, tenantId: string, text: string): Promise<{ added: number; changed: number; problems: string[] }> {
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        throw new DomainError('invalid_input', 'The catalog file is not JSON. Send a file shaped like the shipped catalog: {"releases": [{"family": "Yealink T56A", "component": "firmware", "version": "58.15.0.130", "released": "2026-11-30", "label": "verified"}]}.');
      }
      const parsed = catalogFileSchema.safeParse(raw);
      if (!parsed.success) {
        const issues = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || 'file'}: ${issue.message}`).join('; ');
        throw new DomainError('invalid_input', `The catalog file does not fit: ${issues}. Nothing was imported.`);
      }
      const problems: string[] = [];
      const catalog = await catalogOf(tenantId);
      // Every row is checked before anything is written: a file with a bad row imports nothing.
      parsed.data.releases.forEach((release, index) => {
        try {
          familyNamed(catalog, release.family);
        } catch (error) {
          problems.push(`releases.${index} (${release.family}): ${(error as Error).message.split('.')[0]}`);
        }
      });
      if (parsed.data.minimums?.length) problems.push('minimums: the minimum table ships with the bot and is not replaced by an import');
      if (problems.some((problem) => problem.startsWith('releases.'))) throw new DomainError('invalid_input', `Nothing was imported: ${problems.slice(0, 5).join('; ')}.`);
      let added = 0;
      let changed = 0;
      for (const release of parsed.data.releases) {
        const result = await api.addRelease(actor, tenantId, { model: release.family, component: release.component, version: release.version, label: release.label, released: release.released, requires: release.requires ?? null });
        if (result.replaced) changed++;
        else added++;
      }
      return { added, changed, problems };
    },
  };
  return api;
}

export type Firmware = ReturnType<typeof createFirmware>;
