// The SIP sign-in tables (SipImport, SipAccount, SipBatch, SipSettings) as plain objects.
import type { Database, DatabaseOrTransaction } from '../../prisma/store.ts';
import type { SipRegion } from './regions.ts';

export type SipAccountStatus = 'ready' | 'queued' | 'running' | 'succeeded' | 'failed';
export type SipBatchState = 'waiting' | 'submitting' | 'running' | 'completed' | 'refused';

export interface SipAccountRecord {
  id: string;
  tenantId: string;
  importId: string;
  line: number;
  username: string;
  hardwareId: string;
  region: SipRegion;
  status: SipAccountStatus;
  error: string | null;
  batchId: string | null;
  onboardedAt: Date | null;
  deadlineKind: string;
  warnedLeads: string;
  expiredNoticeAt: Date | null;
}

export interface SipSettingsRecord {
  defaultRegion: SipRegion | null;
  /** Location key (trimmed, lower case) → region. */
  locationRegions: Record<string, SipRegion>;
  /** Check id → when the admin ticked it (ISO). */
  checklist: Record<string, string>;
}

export const locationKey = (location: string) => location.trim().toLowerCase();

export async function readSettings(db: DatabaseOrTransaction, tenantId: string): Promise<SipSettingsRecord> {
  const row = await db.sipSettings.findUnique({ where: { tenantId } });
  return {
    defaultRegion: (row?.defaultRegion as SipRegion | null | undefined) ?? null,
    locationRegions: JSON.parse(row?.locationRegions ?? '{}') as Record<string, SipRegion>,
    checklist: JSON.parse(row?.checklist ?? '{}') as Record<string, string>,
  };
}

export async function writeSettings(db: Database, tenantId: string, settings: SipSettingsRecord, now: Date): Promise<void> {
  const values = { defaultRegion: settings.defaultRegion, checklist: JSON.stringify(settings.checklist), locationRegions: JSON.stringify(settings.locationRegions), updatedAt: now };
  await db.sipSettings.upsert({ where: { tenantId }, create: { tenantId, ...values }, update: values });
}

export function toAccount(row: {
  id: string; tenantId: string; importId: string; line: number; username: string; hardwareId: string; region: string; status: string;
  error: string | null; batchId: string | null; onboardedAt: Date | null; deadlineKind: string; warnedLeads: string; expiredNoticeAt: Date | null;
}): SipAccountRecord {
  return { ...row, region: row.region as SipRegion, status: row.status as SipAccountStatus };
}
