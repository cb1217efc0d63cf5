// A hand-off: the codes issued together for technicians, and how each of those devices is
// doing since. The codes are kept sealed (services/shared/sealed-box.ts) while any of them can
// still be used, so the hand-off card can be drawn again, in place, as devices come online.
// Then housekeeping purges them (purgeSealedCodes): the card is still drawn, without digits.
import type { Database } from '../../prisma/store.ts';
import { actorLabel, type Actor } from '../shared/actor.ts';
import type { Clock } from '../shared/clock.ts';
import { DomainError } from '../shared/errors.ts';
import type { SealedBox } from '../shared/sealed-box.ts';
import { recordAudit } from './audit-log.ts';
import { chunks } from './code-expiry-support.ts';
import type { DeviceState } from './device-state.ts';
import { deviceRecords } from './device-steps.ts';
import { parseMac } from './mac-address.ts';
import type { HandoffEntry } from './verification-codes.ts';
import type { DomainEvent } from '../notifications/domain-events.ts';
import { enqueueEvent } from '../notifications/outbox.ts';

/** The technician as the admins' card names them: their display name, else their id. */
function technicianName(actor: Actor): string {
  if (actor.kind === 'user') return actor.name?.trim() || actor.id;
  return actorLabel(actor);
}

export type TechnicianMark = 'installed' | 'problem';
const markActions: Record<TechnicianMark, string> = { installed: deviceRecords.mark_installed.audit, problem: deviceRecords.mark_problem.audit };

export interface HandoffDevice {
  deviceId: string;
  mac: string;
  location: string | null;
  /** The digits; null once the batch's sealed codes were purged (none of them can be used any more). */
  code: string | null;
  state: DeviceState;
  /** What became of this batch's code: live, used, revoked (a newer code replaced it) or expired. */
  codeStatus: string;
  mark: { kind: TechnicianMark; note: string | null; by: string; at: Date } | null;
}

export interface Handoff {
  batchId: string;
  tenantId: string;
  issuedBy: string;
  /** Display name of the admin who issued the codes, when known. */
  issuedByName: string | null;
  expiresAt: Date;
  devices: HandoffDevice[];
}

export function createHandoffs(db: Database, clock: Clock, box: SealedBox) {
  async function get(tenantId: string, batchId: string): Promise<Handoff> {
    const batch = await db.handoffBatch.findFirst({ where: { id: batchId, tenantId } });
    if (!batch) throw new DomainError('not_found', 'This hand-off is no longer kept (its codes expired). Ask an admin for new codes.');
    const codes = await db.verificationCode.findMany({ where: { tenantId, batchId }, select: { deviceId: true, status: true }, orderBy: [{ issuedAt: 'asc' }, { id: 'asc' }] });
    const sealed = batch.sealedCodes === null ? null : (JSON.parse(box.open(batch.sealedCodes)) as HandoffEntry[]);
    const ids = sealed ? sealed.map((entry) => entry.deviceId) : codes.map((code) => code.deviceId);
    // In chunks: a batch can hold thousands of devices, more than one query may name (parameter limits).
    const parts = await Promise.all(
      chunks(ids).map((part) =>
        Promise.all([
          db.device.findMany({ where: { tenantId, id: { in: part } }, select: { id: true, state: true, mac: true, location: true } }),
          db.auditEvent.findMany({ where: { tenantId, deviceId: { in: part }, action: { in: Object.values(markActions) } } }),
        ]),
      ),
    );
    const devices = parts.flatMap(([found]) => found);
    const marks = parts.flatMap(([, found]) => found).sort((a, b) => a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const stateOf = new Map(devices.map((device) => [device.id, device.state as DeviceState]));
    // Purged: the batch's devices are its codes' devices, as they are named now.
    const entries: (Omit<HandoffEntry, 'code'> & { code: string | null })[] =
      sealed ?? devices.map((device) => ({ deviceId: device.id, mac: device.mac, location: device.location, code: null }));
    const codeStatusOf = new Map(codes.map((code) => [code.deviceId, code.status]));
    const lastMark = new Map<string, HandoffDevice['mark']>();
    for (const mark of marks) {
      const data = mark.data ? (JSON.parse(mark.data) as { batchId?: string; note?: string | null }) : {};
      if (data.batchId !== batchId || !mark.deviceId) continue;
      const kind = mark.action === markActions.installed ? 'installed' : 'problem';
      lastMark.set(mark.deviceId, { kind, note: data.note ?? null, by: mark.actor, at: mark.at });
    }
    return {
      batchId,
      tenantId,
      issuedBy: batch.issuedBy,
      issuedByName: batch.issuedByName,
      expiresAt: batch.expiresAt,
      devices: entries
        .filter((entry) => stateOf.has(entry.deviceId))
        .map((entry) => ({
          ...entry,
          state: stateOf.get(entry.deviceId) ?? 'registered',
          codeStatus: codeStatusOf.get(entry.deviceId) ?? 'revoked',
          mark: lastMark.get(entry.deviceId) ?? null,
        })),
    };
  }

  return {
    get,

    /**
     * Who issued a kept hand-off's codes (null when it is gone), without opening the batch: the
     * notification planner asks this per event, and get() costs a whole batch's devices, codes and audit rows.
     */
    async issuerOf(tenantId: string, batchId: string): Promise<string | null> {
      const batch = await db.handoffBatch.findFirst({ where: { id: batchId, tenantId }, select: { issuedBy: true } });
      return batch?.issuedBy ?? null;
    },

    /** The hand-offs still kept that include this device (its card needs redrawing when it changes). */
    async batchesOfDevice(tenantId: string, deviceId: string): Promise<string[]> {
      const codes = await db.verificationCode.findMany({ where: { tenantId, deviceId, batchId: { not: null } }, select: { batchId: true } });
      const ids = [...new Set(codes.map((code) => code.batchId).filter((id): id is string => id !== null))];
      const kept = await db.handoffBatch.findMany({ where: { tenantId, id: { in: ids } }, select: { id: true } });
      return kept.map((batch) => batch.id);
    },

    /** A technician marks a device of the hand-off as installed, or reports a problem with it. */
    async mark(actor: Actor, tenantId: string, batchId: string, rawMac: string, kind: TechnicianMark, note: string | null): Promise<Handoff> {
      const mac = parseMac(rawMac);
      if (!mac.ok) throw new DomainError('invalid_input', 'Choose the device in the list first.');
      // The note is optional for both: a problem without one still reaches the admins, who
      // can ask the technician (named on their card).
      const cleanNote = note?.trim() ? note.trim().slice(0, 500) : null;
      const handoff = await get(tenantId, batchId);
      const device = handoff.devices.find((candidate) => candidate.mac === mac.mac);
      if (!device) throw new DomainError('not_found', `Device ${mac.mac} is not part of this hand-off.`);
      const now = clock.now();
      const about = { tenantId, batchId, deviceId: device.deviceId, mac: device.mac };
      const event: DomainEvent =
        kind === 'installed'
          ? { kind: deviceRecords.mark_installed.event, ...about }
          : { kind: deviceRecords.mark_problem.event, ...about, location: device.location, technician: technicianName(actor), note: cleanNote };
      await db.$transaction(async (tx) => {
        await recordAudit(tx, { tenantId, deviceId: device.deviceId, actor, action: markActions[kind], data: { batchId, note: cleanNote } }, now);
        await enqueueEvent(tx, event, now);
      });
      return get(tenantId, batchId);
    },

    /** Every code still valid from the kept hand-offs of a tenant: what a technician may look up. */
    async liveCodes(tenantId: string): Promise<{ mac: string; location: string | null; code: string; expiresAt: Date }[]> {
      const now = clock.now();
      const batches = await db.handoffBatch.findMany({ where: { tenantId, expiresAt: { gt: now }, sealedCodes: { not: null } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
      const live = await db.verificationCode.findMany({ where: { tenantId, status: 'live', expiresAt: { gt: now }, batchId: { in: batches.map((batch) => batch.id) } } });
      const liveKeys = new Set(live.map((code) => `${code.batchId}:${code.deviceId}`));
      return batches.flatMap((batch) =>
        (JSON.parse(box.open(batch.sealedCodes ?? '')) as HandoffEntry[])
          .filter((entry) => liveKeys.has(`${batch.id}:${entry.deviceId}`))
          .map((entry) => ({ mac: entry.mac, location: entry.location, code: entry.code, expiresAt: batch.expiresAt })),
      );
    },

    /**
     * Purges (sets to null) the sealed codes of every hand-off none of whose codes can be used
     * any more: past their expiry, or each used, replaced by a newer code or revoked by a reset.
     * The codes' keyed hashes stay, and so does the batch: its card is still drawn, without the
     * digits. Returns how many batches were purged. Safe to run twice or on two instances.
     */
    async purgeSealedCodes(now: Date = clock.now()): Promise<number> {
      const expired = await db.handoffBatch.updateMany({ where: { sealedCodes: { not: null }, expiresAt: { lte: now } }, data: { sealedCodes: null } });
      let closed = 0;
      const sealed = await db.handoffBatch.findMany({ where: { sealedCodes: { not: null }, expiresAt: { gt: now } }, select: { id: true } });
      for (const ids of chunks(sealed.map((batch) => batch.id))) {
        // A batch never gains a code after it is issued, and a closed code never opens again:
        // a batch found without a live code stays so until the update below.
        const live = await db.verificationCode.findMany({ where: { batchId: { in: ids }, status: 'live' }, select: { batchId: true }, distinct: ['batchId'] });
        const stillLive = new Set(live.map((code) => code.batchId));
        const done = ids.filter((id) => !stillLive.has(id));
        if (done.length > 0) closed += (await db.handoffBatch.updateMany({ where: { id: { in: done }, sealedCodes: { not: null } }, data: { sealedCodes: null } })).count;
      }
      return expired.count + closed;
    },
  };
}

export type Handoffs = ReturnType<typeof createHandoffs>;
