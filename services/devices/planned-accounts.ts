// Shared accounts planned for devices before they are provisioned (`register … account UPN`,
// the Account column of a device import, `accounts` with a MAC,Account list). A device with a
// planned account gets its sign-in requested as soon as it comes online (sign-in-queue.ts).
// The rules (UPN form, one account per device unless confirmed) are sign-in-plan.ts's.
import { parse } from 'csv-parse/sync';
import type { Database, DatabaseOrTransaction } from '../../prisma/store.ts';
import { actorLabel, type Actor } from '../shared/actor.ts';
import type { Clock } from '../shared/clock.ts';
import { DomainError } from '../shared/errors.ts';
import { recordAudits, type AuditEntry } from './audit-log.ts';
import { MAC_COLUMN_NAMES, MAX_DEVICE_CSV_BYTES } from './csv-device-list.ts';
import type { DeviceState } from './device-state.ts';
import { deviceRecords } from './device-steps.ts';
import { accountKeyOf, planAccounts, type AccountEntry, type AccountPlan } from './sign-in-plan.ts';
import { locationKeyOf } from '../time-zones.ts';

/** Planned accounts of the tenant's devices, by MAC: the devices given, and any other device planned with one of the accounts given. */
export async function plannedAccountsAround(db: DatabaseOrTransaction, tenantId: string, macs: readonly string[], accounts: readonly string[]): Promise<Map<string, string>> {
  const keys = [...new Set(accounts.map(accountKeyOf))];
  const planned = new Map<string, string>();
  const size = 500;
  for (let start = 0; start < Math.max(keys.length, macs.length); start += size) {
    const rows = await db.plannedAccount.findMany({
      where: { tenantId, OR: [{ accountKey: { in: keys.slice(start, start + size) } }, { device: { mac: { in: macs.slice(start, start + size) } } }] },
      select: { account: true, device: { select: { mac: true } } },
    });
    for (const row of rows) planned.set(row.device.mac, row.account);
  }
  return planned;
}

/** The account planned for a device, or null. */
export async function plannedAccountOf(db: DatabaseOrTransaction, deviceId: string): Promise<string | null> {
  const row = await db.plannedAccount.findUnique({ where: { deviceId }, select: { account: true } });
  return row?.account ?? null;
}

/** Sets (or replaces) the planned account of devices, one audit row each where it changed. Returns the MACs whose plan changed. */
export async function storePlannedAccounts(
  tx: DatabaseOrTransaction,
  tenantId: string,
  actor: Actor,
  entries: readonly { deviceId: string; mac: string; account: string; previous: string | null }[],
  now: Date,
): Promise<string[]> {
  const changed = entries.filter((entry) => entry.previous === null || entry.previous !== entry.account);
  const setBy = actorLabel(actor);
  for (const entry of changed) {
    const data = { account: entry.account, accountKey: accountKeyOf(entry.account), setBy, updatedAt: now };
    await tx.plannedAccount.upsert({ where: { deviceId: entry.deviceId }, create: { deviceId: entry.deviceId, tenantId, ...data }, update: data });
  }
  const audits: AuditEntry[] = changed.map((entry) => ({ tenantId, deviceId: entry.deviceId, actor, action: deviceRecords.plan_account.audit, data: { from: entry.previous, to: entry.account } }));
  await recordAudits(tx, audits, now);
  return changed.map((entry) => entry.mac);
}

/** "MAC,Account" rows (a header first; comma or semicolon); the MAC column may be named as in a device import. */
export function readAccountCsv(text: string): AccountEntry[] {
  if (Buffer.byteLength(text, 'utf8') > MAX_DEVICE_CSV_BYTES) throw new DomainError('too_large', 'The list is larger than 5 MB. Split it.');
  const clean = text.replace(/^\uFEFF/, '');
  const headerLine = /^.*\S.*$/m.exec(clean)?.[0] ?? '';
  const delimiter = headerLine.split(';').length > headerLine.split(',').length ? ';' : ',';
  let records: string[][];
  try {
    records = parse(clean, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: false }) as string[][];
  } catch (error) {
    throw new DomainError('invalid_input', `The list could not be read as CSV: ${(error as Error).message}. Send it as "MAC,Account" lines under a header.`);
  }
  const key = (cell: string) => cell.trim().toLowerCase().replace(/[\s_\-.]+/g, '');
  const headerIndex = records.findIndex((record) => record.some((cell) => cell.trim() !== ''));
  const header = (records[headerIndex] ?? []).map(key);
  const macKeys = new Set(MAC_COLUMN_NAMES.map(key));
  const macColumn = header.findIndex((cell) => macKeys.has(cell));
  const accountColumn = header.findIndex((cell) => cell === 'account' || cell === 'upn' || cell === 'sharedaccount');
  if (headerIndex === -1 || macColumn === -1 || accountColumn === -1) {
    throw new DomainError('invalid_input', 'Start the list with a header row naming the MAC and Account columns, e.g. "MAC,Account", then one device per line: 00-04-F2-81-24-B3,lobby-phone@contoso.com.');
  }
  return records.flatMap((record, index) => {
    if (index <= headerIndex || record.every((cell) => cell.trim() === '')) return [];
    return [{ line: index + 1, mac: (record[macColumn] ?? '').trim(), account: (record[accountColumn] ?? '').trim() }];
  });
}

export interface AccountsReport {
  planned: { mac: string; account: string; previous: string | null }[];
  unchanged: { mac: string; account: string }[];
  notRegistered: string[];
  rejected: AccountPlan['rejected'];
  /** Non-empty only when nothing was changed because the admin must confirm first. */
  needsConfirmation: AccountPlan['sharedAccounts'];
  /** Confirmed shared accounts (stored anyway). */
  sharedAccounts: AccountPlan['sharedAccounts'];
}

export interface PlannedAccountRow {
  mac: string;
  location: string | null;
  state: DeviceState;
  account: string | null;
}

export function createPlannedAccounts(db: Database, clock: Clock) {
  return {
    /**
     * Plans accounts for registered devices. The same account on two devices changes nothing and
     * comes back in `needsConfirmation`, unless `confirmed`.
     */
    async plan(actor: Actor, tenantId: string, entries: readonly AccountEntry[], options: { confirmed?: boolean } = {}): Promise<AccountsReport> {
      if (entries.length === 0) throw new DomainError('invalid_input', 'No device listed. Give "MAC,Account" lines under a header row "MAC,Account".');
      const now = clock.now();
      return db.$transaction(async (tx) => {
        const around = await plannedAccountsAround(tx, tenantId, entries.map((entry) => entry.mac.toUpperCase()), entries.map((entry) => entry.account));
        const plan = planAccounts(entries, around);
        const devices = await tx.device.findMany({ where: { tenantId, mac: { in: plan.valid.map((entry) => entry.mac) } }, select: { id: true, mac: true } });
        const idOf = new Map(devices.map((device) => [device.mac, device.id]));
        const report: AccountsReport = { planned: [], unchanged: [], notRegistered: [], rejected: plan.rejected, needsConfirmation: [], sharedAccounts: [] };
        const registered = plan.valid.filter((entry) => idOf.has(entry.mac));
        report.notRegistered = plan.valid.filter((entry) => !idOf.has(entry.mac)).map((entry) => entry.mac);
        const registeredMacs = new Set(registered.map((entry) => entry.mac));
        const shared = plan.sharedAccounts.filter((holder) => holder.macs.filter((mac) => registeredMacs.has(mac) || !plan.valid.some((entry) => entry.mac === mac)).length > 1);
        if (shared.length > 0 && !options.confirmed) return { ...report, needsConfirmation: shared };
        report.sharedAccounts = shared;
        const rows = registered.map((entry) => ({ deviceId: idOf.get(entry.mac)!, mac: entry.mac, account: entry.account, previous: around.get(entry.mac) ?? null }));
        const changed = new Set(await storePlannedAccounts(tx, tenantId, actor, rows, now));
        for (const row of rows) {
          if (changed.has(row.mac)) report.planned.push({ mac: row.mac, account: row.account, previous: row.previous });
          else report.unchanged.push({ mac: row.mac, account: row.account });
        }
        return report;
      });
    },

    /** The tenant's devices (at a location, when given) with their planned account or none, by location then MAC. */
    async list(tenantId: string, location?: string | null): Promise<PlannedAccountRow[]> {
      const rows = await db.device.findMany({
        where: { tenantId },
        select: { mac: true, location: true, state: true, plannedAccount: { select: { account: true } } },
        orderBy: [{ location: 'asc' }, { mac: 'asc' }],
      });
      const wanted = location ? locationKeyOf(location) : null;
      return rows
        .filter((row) => wanted === null || locationKeyOf(row.location ?? '') === wanted)
        .map((row) => ({ mac: row.mac, location: row.location, state: row.state as DeviceState, account: row.plannedAccount?.account ?? null }));
    },

    /** The account planned for a device, or null. */
    async of(tenantId: string, deviceId: string): Promise<string | null> {
      const row = await db.plannedAccount.findFirst({ where: { tenantId, deviceId }, select: { account: true } });
      return row?.account ?? null;
    },
  };
}

export type PlannedAccounts = ReturnType<typeof createPlannedAccounts>;
