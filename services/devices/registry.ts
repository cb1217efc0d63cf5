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
import { plannedAccountsAround, storePlannedAccounts } from './planned-accounts.ts';
import { planAccounts, upnProblem } from './sign-in-plan.ts';
import { unfitTextReason } from '../shared/plain-text.ts';

export const maxLocationLength = 100;
export const maxModelLength = 100;
export const maxEntriesPerRequest = 50_000;

export interface DeviceEntry {
  mac: string;
  location?: string | null;
  model?: string | null;
  /** The shared account planned for the device (its sign-in is requested as it comes online). */
  account?: string | null;
}

export interface RegistrationReport {
  added: { mac: string; location: string | null }[];
  alreadyRegistered: { mac: string; location: string | null }[];
  updated: { mac: string; location: string | null; previousLocation: string | null }[];
  /** `line` is the CSV line or the 1-based position in the typed list. */
  rejected: { line: number; value: string; reason: string }[];
  duplicates: { line: number; mac: string; firstLine: number }[];
  /** Devices whose planned account was set or changed. */
  accountsPlanned?: { mac: string; account: string }[];
  /** One account planned on several devices: nothing was stored; run again confirmed to keep it. */
  needsConfirmation?: { account: string; macs: string[] }[];
}

interface ValidEntry {
  line: number;
  mac: string;
  location: string | null;
  model: string | null;
  account?: string | null;
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
    const account = cleanText(entry.account);
    const unfit = unfitTextReason(location, maxLocationLength, 'location') ?? unfitTextReason(model, maxModelLength, 'model') ?? (account === null ? null : upnProblem(account));
    if (unfit) return rejected.push({ line, value: entry.mac, reason: unfit });
    const firstLine = firstLineOf.get(parsed.mac);
    if (firstLine !== undefined) return duplicates.push({ line, mac: parsed.mac, firstLine });
    firstLineOf.set(parsed.mac, line);
    valid.push({ line, mac: parsed.mac, location, model, account });
  });
  return { valid, rejected, duplicates };
}

async function store(tx: DatabaseOrTransaction, tenantId: string, actor: Actor, entries: readonly ValidEntry[], now: Date) {
  const known = await findDevicesByMacs(tx, tenantId, entries.map((entry) => entry.mac));
  const report: Pick<RegistrationReport, 'added' | 'alreadyRegistered' | 'updated' | 'accountsPlanned'> = { added: [], alreadyRegistered: [], updated: [] };
  const registeredBy = actorLabel(actor);
  const newDevices: CompleteRow<'Device'>[] = [];
  const audits: AuditEntry[] = [];
  const accounts: { deviceId: string; mac: string; account: string; previous: string | null }[] = [];
  for (const entry of entries) {
    const existing = known.get(entry.mac);
    if (entry.account) accounts.push({ deviceId: existing?.id ?? '', mac: entry.mac, account: entry.account, previous: null });
    if (!existing) {
      const id = newId();
      if (entry.account) accounts.at(-1)!.deviceId = id;
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
  if (accounts.length > 0) {
    const previous = await plannedAccountsAround(tx, tenantId, accounts.map((entry) => entry.mac), []);
    const planned = new Set(await storePlannedAccounts(tx, tenantId, actor, accounts.map((entry) => ({ ...entry, previous: previous.get(entry.mac) ?? null })), now));
    report.accountsPlanned = accounts.filter((entry) => planned.has(entry.mac)).map((entry) => ({ mac: entry.mac, account: entry.account }));
  }
  if (report.added.length > 0) {
    await enqueueEvent(tx, { kind: deviceRecords.register.event, tenantId, actor: registeredBy, macs: report.added.map((device) => device.mac) }, now);
  }
  return report;
}

/** `confirmedSharedAccounts`: the admin confirmed that one account may be planned on several devices. */
export interface RegistrationOptions {
  confirmedSharedAccounts?: boolean;
}

export interface DeviceRegistry {
  register(actor: Actor, tenantId: string, entries: readonly DeviceEntry[], options?: RegistrationOptions): Promise<RegistrationReport>;
  importCsv(actor: Actor, tenantId: string, csv: string | Buffer, options?: RegistrationOptions): Promise<RegistrationReport>;
}

export function createDeviceRegistry(db: Database, clock: Clock): DeviceRegistry {
  async function apply(actor: Actor, tenantId: string, checked: ReturnType<typeof validateEntries>, options: RegistrationOptions = {}): Promise<RegistrationReport> {
    const now = clock.now();
    await ensureTenant(db, tenantId);
    const withAccount = checked.valid.filter((entry): entry is ValidEntry & { account: string } => Boolean(entry.account));
    if (withAccount.length > 0 && !options.confirmedSharedAccounts) {
      // One account on two devices is usually a typo: nothing is stored until the admin confirms.
      const around = await plannedAccountsAround(db, tenantId, withAccount.map((entry) => entry.mac), withAccount.map((entry) => entry.account));
      const shared = planAccounts(withAccount, around).sharedAccounts;
      if (shared.length > 0) return { added: [], alreadyRegistered: [], updated: [], rejected: checked.rejected, duplicates: checked.duplicates, needsConfirmation: shared };
    }
    const stored = await db.$transaction((tx) => store(tx, tenantId, actor, checked.valid, now), { timeout: 120_000, maxWait: 30_000 });
    return { ...stored, rejected: checked.rejected, duplicates: checked.duplicates };
  }

  return {
    async register(actor, tenantId, entries, options) {
      if (entries.length === 0) throw new DomainError('invalid_input', 'No MAC address given. Type one per line, e.g. "register 00-04-F2-81-24-B3 Lobby".');
      if (entries.length > maxEntriesPerRequest) {
        throw new DomainError('too_large', `${entries.length} devices in one request; the limit is ${maxEntriesPerRequest}. Split the list.`);
      }
      return apply(actor, tenantId, validateEntries(entries), options);
    },
    async importCsv(actor, tenantId, csv, options) {
      const parsed = await readDeviceCsv(csv);
      return apply(actor, tenantId, { valid: parsed.rows, rejected: parsed.rejected, duplicates: parsed.duplicates }, options);
    },
  };
}
