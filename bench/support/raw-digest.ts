// The digest benchmark's baseline: the digest's figures computed by hand-written SQL through the
// raw driver (@libsql/client, pg), with no ORM between, one statement per figure, folded into the
// same Digest the service returns (so the same card can be drawn from it, and the benchmark can
// check that both agree). What is not SQL is the product's own and shared with the service: the
// firmware catalog's matching and version order, the time zone's day, the order of locations.
import { shippedCatalog, type CatalogRelease, type Component, type ReleaseLabel } from '../../services/firmware/catalog.ts';
import { mergeReportedGroups, readinessOfGroups, type GroupRow } from '../../services/firmware/firmware-service.ts';
import { byLocationName, digestWindows, pipelineCounts, stuckStates, type Digest, type StuckDevice } from '../../services/reporting/digest.ts';
import { checkTimeZone, localDay } from '../../services/shared/local-time.ts';
import type { RawDatabase } from './raw-driver.ts';

/** A time as the driver gives it: text on SQLite, a Date on PostgreSQL. */
const time = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));
const count = (value: unknown): number => Number(value);

/** The tenant's time zone (its profile), as the digest command reads it first. */
export async function rawTimeZone(raw: RawDatabase, tenantId: string): Promise<string> {
  const [row] = await raw.rows('SELECT "timeZone" FROM "Tenant" WHERE "id" = ?', [tenantId]);
  return row ? String(row[0]) : 'UTC';
}

export async function rawDigest(raw: RawDatabase, tenantId: string, now: Date, timeZone: string): Promise<Digest> {
  const zone = checkTimeZone(timeZone);
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const expiringUntil = new Date(now.getTime() + digestWindows.expiringWithinMs);
  const lockoutsSince = ago(digestWindows.lockoutsWithinMs);
  const medianSince = ago(digestWindows.timeToSignedInOverMs);
  const postgres = raw.provider === 'postgresql';
  const milliseconds = postgres
    ? 'ROUND(EXTRACT(EPOCH FROM (l."at" - d."createdAt")) * 1000)::float8'
    : 'CAST(ROUND((julianday(l."at") - julianday(d."createdAt")) * 86400000) AS INTEGER)';

  const [previous] = await raw.rows(`SELECT "createdAt" FROM "DailyReport" WHERE "tenantId" = ? AND "kind" = 'digest' AND "createdAt" <= ? ORDER BY "createdAt" DESC LIMIT 1`, [tenantId, now]);
  const since = previous ? time(previous[0]) : ago(digestWindows.signedInDefaultMs);
  const from = since < medianSince ? since : medianSince;
  const stuckList = stuckStates.map(() => '?').join(', ');

  const [releases, byModel, withManufacturer, groups, expiring, stuck, signIns, lockouts, queues] = await Promise.all([
    raw.rows('SELECT "family", "component", "version", "releasedAt", "label", "requires" FROM "FirmwareRelease" WHERE "tenantId" = ? ORDER BY "releasedAt"', [tenantId]),
    raw.rows('SELECT "model", "firmwareVersion", COUNT(*) FROM "Device" WHERE "tenantId" = ? GROUP BY "model", "firmwareVersion"', [tenantId]),
    raw.rows(
      `SELECT i."manufacturer", d."model", d."firmwareVersion", COUNT(*) FROM "DeviceInventory" i JOIN "Device" d ON d."id" = i."deviceId"
       WHERE i."tenantId" = ? AND i."manufacturer" IS NOT NULL GROUP BY i."manufacturer", d."model", d."firmwareVersion"`,
      [tenantId],
    ),
    raw.rows('SELECT "location", "state", COUNT(*) FROM "Device" WHERE "tenantId" = ? GROUP BY "location", "state"', [tenantId]),
    raw.rows(
      `SELECT d."location", COUNT(*) FROM "VerificationCode" c JOIN "Device" d ON d."id" = c."deviceId"
       WHERE c."tenantId" = ? AND c."status" = 'live' AND c."expiresAt" > ? AND c."expiresAt" <= ? GROUP BY d."location"`,
      [tenantId, now, expiringUntil],
    ),
    raw.rows(
      `SELECT "mac", "location", "state", "stateChangedAt" FROM "Device" WHERE "tenantId" = ? AND "state" IN (${stuckList}) AND "stateChangedAt" <= ?
       ORDER BY "stateChangedAt", "mac"`,
      [tenantId, ...stuckStates, ago(digestWindows.stuckAfterMs)],
    ),
    raw.rows(
      `WITH "latest" AS (
         SELECT a."deviceId" AS "deviceId", MAX(a."at") AS "at" FROM "AuditEvent" a
         WHERE a."tenantId" = ? AND a."action" = 'device.signed_in' AND a."at" > ? AND a."at" <= ? GROUP BY a."deviceId"
       ), "timed" AS MATERIALIZED (
         SELECT l."at" AS "at", ${milliseconds} AS "ms" FROM "latest" l JOIN "Device" d ON d."id" = l."deviceId"
       ), "ranked" AS (
         SELECT "ms", ROW_NUMBER() OVER (ORDER BY "ms") AS "n", COUNT(*) OVER () AS "count" FROM "timed" WHERE "at" > ? AND "ms" >= 0
       )
       SELECT (SELECT COUNT(*) FROM "timed" WHERE "at" > ?), (SELECT COUNT(*) FROM "ranked"),
              (SELECT AVG("ms") FROM "ranked" WHERE "n" IN (("count" + 1) / 2, ("count" + 2) / 2))`,
      [tenantId, from, now, medianSince, since],
    ),
    raw.rows(`SELECT "payload" FROM "OutboxMessage" WHERE "tenantId" = ? AND "kind" = 'device.locked_out' AND "createdAt" > ? AND "createdAt" <= ? ORDER BY "createdAt"`, [tenantId, lockoutsSince, now]),
    raw.rows(
      `SELECT COUNT(*), MIN(e."queuedAt"), COUNT(DISTINCT e."locationKey") FROM "SignInQueueEntry" e JOIN "Device" d ON d."id" = e."deviceId"
       WHERE e."tenantId" = ? AND e."markedDoneAt" IS NULL AND d."state" IN (${stuckList})`,
      [tenantId, ...stuckStates],
    ),
  ]);

  const catalog = {
    ...shippedCatalog,
    releases: [
      ...shippedCatalog.releases,
      ...releases.map(([family, component, version, releasedAt, label, requires]): CatalogRelease => ({
        family: String(family),
        component: String(component) as Component,
        version: String(version),
        released: time(releasedAt).toISOString().slice(0, 10),
        label: String(label) as ReleaseLabel,
        ...(requires ? { requires: String(requires) } : {}),
      })),
    ],
  };
  const groupRow = (manufacturer: unknown, model: unknown, firmwareVersion: unknown, devices: unknown): GroupRow => ({
    manufacturer: manufacturer === null ? null : String(manufacturer),
    model: model === null ? null : String(model),
    firmwareVersion: firmwareVersion === null ? null : String(firmwareVersion),
    devices: count(devices),
  });
  const firmware = readinessOfGroups(
    catalog,
    mergeReportedGroups(
      byModel.map(([model, version, devices]) => groupRow(null, model, version, devices)),
      withManufacturer.map(([manufacturer, model, version, devices]) => groupRow(manufacturer, model, version, devices)),
    ),
  );
  const pipeline = pipelineCounts(groups.map(([location, state, devices]) => ({ location: location === null ? null : String(location), state: String(state), _count: { _all: count(devices) } })));
  const expiringByLocation = expiring
    .map(([location, codes]) => ({ location: location === null ? null : String(location), count: count(codes) }))
    .sort((a, b) => b.count - a.count || byLocationName(a.location, b.location));
  const lockedOut = new Set<string>();
  for (const [payload] of lockouts) {
    try {
      const mac = (JSON.parse(String(payload)) as { mac?: unknown }).mac;
      if (typeof mac === 'string') lockedOut.add(mac);
    } catch {
      // As the service: an unreadable payload is the outbox's problem.
    }
  }
  const [signedIn, devices, medianMs] = signIns[0] ?? [0, 0, null];
  const [waiting, oldest, locations] = queues[0] ?? [0, null, 0];
  return {
    tenantId,
    day: localDay(now, zone),
    timeZone: zone,
    generatedAt: now,
    total: pipeline.total,
    byState: pipeline.byState,
    locations: pipeline.locations,
    signedIn: { since, sincePreviousDigest: previous !== undefined, count: count(signedIn) },
    expiring: { until: expiringUntil, count: expiringByLocation.reduce((sum, entry) => sum + entry.count, 0), byLocation: expiringByLocation },
    stuck: stuck.map(([mac, location, state, changedAt]): StuckDevice => {
      const stateChangedAt = time(changedAt);
      return { mac: String(mac), location: location === null ? null : String(location), state: String(state) as StuckDevice['state'], since: stateChangedAt, ageMs: now.getTime() - stateChangedAt.getTime() };
    }),
    lockouts: { since: lockoutsSince, macs: [...lockedOut] },
    timeToSignedIn: { since: medianSince, medianMs: medianMs === null ? null : Number(medianMs), devices: count(devices) },
    signInQueues: { devices: count(waiting), oldestSince: oldest === null ? null : time(oldest), locations: count(locations) },
    firmware: { belowMinimum: firmware.belowMinimum, unknownVersion: firmware.unknownVersion, updatesAvailable: firmware.updatesAvailable },
  };
}
