// Registering devices: typed by an admin (one or many MACs) or imported from the admin
// center's CSV template. Both end in one transaction per request: every valid entry is
// stored, or, if anything fails midway, none is.
import type { Database, DatabaseOrTransaction } from '../../prisma/store.ts';
import { ensureTenant } from '../conversations/conversation-repository.ts';
import { enqueueEvent } from '../notifications/outbox.ts';
import { actorLabel, type Actor } from '../shared/actor.ts';
import type { Clock } from '../shared/clock.ts';
import { insertRows, type CompleteRow } from '../../prisma/bulk-write.ts';
import { DomainError } from '../shared/errors.ts';
import { newId } from '../shared/random.ts';
import { recordAudit, recordAudits, type AuditEntry } from './audit-log.ts';
import { readDeviceCsv } from './csv-device-list.ts';
import { findDevicesByMacs } from './device-repository.ts';
import { deviceRecords } from './device-steps.ts';
import { parseMac } from './mac-address.ts';
import { unfitTextReason } from '../shared/plain-text.ts';

export const maxLocationLength = 100;
export const maxModelLength = 100;
export const maxEntriesPerRequest = 50_000;

export interface DeviceEntry {
  mac: string;
  location?: string | null;
  model?: string | null;
}

export interface RegistrationReport {
  added: { mac: string; location: string | null }[];
  alreadyRegistered: { mac: string; location: string | null }[];
  updated: { mac: string; location: string | null; previousLocation: string | null }[];
  /** `line` is the CSV line or the 1-based position in the typed list. */
  rejected: { line: number; value: string; reason: string }[];
  duplicates: { line: number; mac: string; firstLine: number }[];
}

interface ValidEntry {
  line: number;
  mac: string;
  location: string | null;
  model: string | null;
}

function cleanText(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

/** Checks typed entries the way the CSV parser checks rows. */
function validateEntries(entries: readonly DeviceEntry[]): Pick<RegistrationReport, 'rejected' | 'duplicates'> & { valid: ValidEntry[] } {
  const valid: ValidEntry[] = [];
  const rejected: RegistrationReport['rejected'] = [];
  const duplicates: RegistrationReport['duplicates'] = [];
  const firstLineOf = new Map<string, number>();
  entries.forEach((entry, index) => {
    const line = index + 1;
    const parsed = parseMac(entry.mac);
    const location = cleanText(entry.location);
    const model = cleanText(entry.model);
    if (!parsed.ok) return rejected.push({ line, value: entry.mac, reason: parsed.reason });
    // The same checks as a CSV cell's: no character a store cannot keep, length in characters.
    const unfit = unfitTextReason(location, maxLocationLength, 'location') ?? unfitTextReason(model, maxModelLength, 'model');
    if (unfit) return rejected.push({ line, value: entry.mac, reason: unfit });
    const firstLine = firstLineOf.get(parsed.mac);
    if (firstLine !== undefined) return duplicates.push({ line, mac: parsed.mac, firstLine });
    firstLineOf.set(parsed.mac, line);
    valid.push({ line, mac: parsed.mac, location, model });
  });
  return { valid, rejected, duplicates };
}

async function store(tx: DatabaseOrTransaction, tenantId: string, actor: Actor, entries: readonly ValidEntry[], now: Date) {
  const known = await findDevicesByMacs(tx, tenantId, entries.map((entry) => entry.mac));
  const report: Pick<RegistrationReport, 'added' | 'alreadyRegistered' | 'updated'> = { added: [], alreadyRegistered: [], updated: [] };
  const registeredBy = actorLabel(actor);
  const newDevices: CompleteRow<'Device'>[] = [];
  const audits: AuditEntry[] = [];
  for (const entry of entries) {
    const existing = known.get(entry.mac);
    if (!existing) {
      const id = newId();
      newDevices.push({
        id,
        tenantId,
        mac: entry.mac,
        location: entry.location,
        model: entry.model,
        firmwareVersion: null,
        state: 'registered',
        stateChangedAt: now,
        deviceTokenHash: null,
        signedInAccount: null,
        registeredBy,
        createdAt: now,
        updatedAt: now,
      });
      audits.push({ tenantId, deviceId: id, actor, action: deviceRecords.register.audit, toState: 'registered' });
      report.added.push({ mac: entry.mac, location: entry.location });
      continue;
    }
    // Known already: change nothing, unless a new location is given.
    if (entry.location !== null && entry.location !== existing.location) {
      await tx.device.update({ where: { id: existing.id }, data: { location: entry.location } });
      await recordAudit(tx, { tenantId, deviceId: existing.id, actor, action: deviceRecords.change_location.audit, data: { from: existing.location, to: entry.location } }, now);
      report.updated.push({ mac: entry.mac, location: entry.location, previousLocation: existing.location });
    } else {
      report.alreadyRegistered.push({ mac: entry.mac, location: existing.location });
    }
  }
  // Multi-row statements: a 10,000-row import is a handful of INSERTs, not 20,000 row writes.
  await insertRows(tx, 'Device', newDevices);
  await recordAudits(tx, audits, now);
  if (report.added.length > 0) {
    await enqueueEvent(tx, { kind: deviceRecords.register.event, tenantId, actor: registeredBy, macs: report.added.map((device) => device.mac) }, now);
  }
  return report;
}

export interface DeviceRegistry {
  register(actor: Actor, tenantId: string, entries: readonly DeviceEntry[]): Promise<RegistrationReport>;
  importCsv(actor: Actor, tenantId: string, csv: string | Buffer): Promise<RegistrationReport>;
}

export function createDeviceRegistry(db: Database, clock: Clock): DeviceRegistry {
  async function apply(actor: Actor, tenantId: string, checked: ReturnType<typeof validateEntries>): Promise<RegistrationReport> {
    const now = clock.now();
    await ensureTenant(db, tenantId);
    const stored = await db.$transaction((tx) => store(tx, tenantId, actor, checked.valid, now), { timeout: 120_000, maxWait: 30_000 });
    return { ...stored, rejected: checked.rejected, duplicates: checked.duplicates };
  }

  return {
    async register(actor, tenantId, entries) {
      if (entries.length === 0) throw new DomainError('invalid_input', 'No MAC address given. Type one per line, e.g. "register 00-04-F2-81-24-B3 Lobby".');
      if (entries.length > maxEntriesPerRequest) {
        throw new DomainError('too_large', `${entries.length} devices in one request; the limit is ${maxEntriesPerRequest}. Split the list.`);
      }
      return apply(actor, tenantId, validateEntries(entries));
    },
    async importCsv(actor, tenantId, csv) {
      const parsed = await readDeviceCsv(csv);
      return apply(actor, tenantId, { valid: parsed.rows, rejected: parsed.rejected, duplicates: parsed.duplicates });
    },
  };
}
