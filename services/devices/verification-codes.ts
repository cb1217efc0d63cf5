// Verification codes: 6 digits from the CSPRNG, one live code per device, valid CODE_TTL_HOURS
// (24 by default; `codeTtlMs` here). Only a keyed hash is stored; the plaintext is returned once, to build the hand-off
// card and the technicians' code sheet, and is never logged or written anywhere else.
import type { Database, DatabaseOrTransaction } from '../../prisma/store.ts';
import { enqueueEvent } from '../notifications/outbox.ts';
import { actorLabel, type Actor } from '../shared/actor.ts';
import type { Clock } from '../shared/clock.ts';
import { insertRows, updateWhereIn, type CompleteRow } from '../../prisma/bulk-write.ts';
import { DomainError } from '../shared/errors.ts';
import type { KeyedHasher } from '../shared/keyed-hash.ts';
import type { SealedBox } from '../shared/sealed-box.ts';
import { newId, randomDigits } from '../shared/random.ts';
import { recordAudits } from './audit-log.ts';
import { findDevicesByMacs, listDeviceKeys, type DeviceKey } from './device-repository.ts';
import { stateLabels, waitingOnActivation } from './device-state.ts';
import { deviceRecords, deviceSteps } from './device-steps.ts';
import { parseMac } from './mac-address.ts';
import { moveDevicesTogether } from './transition.ts';

export const codeLength = 6;

/** How long a code is valid, as texts say it: "24 h", "36 h", "90 min" (from CODE_TTL_HOURS). */
export function codeValidityText(codeTtlMs: number): string {
  const minutes = Math.round(codeTtlMs / 60_000);
  return minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`;
}

export type CodeTarget = { macs: readonly string[] } | { location: string } | { all: true };

export interface IssuedCode {
  deviceId: string;
  mac: string;
  location: string | null;
  /** The plaintext: shown once, never stored. */
  code: string;
  expiresAt: Date;
}

export interface CodeIssueReport {
  batchId: string;
  expiresAt: Date;
  issued: IssuedCode[];
  skipped: { mac: string; reason: string }[];
}

export interface VerificationCodes {
  issue(actor: Actor, tenantId: string, target: CodeTarget): Promise<CodeIssueReport>;
}

async function devicesFor(tx: DatabaseOrTransaction, tenantId: string, target: CodeTarget) {
  const skipped: CodeIssueReport['skipped'] = [];
  if ('all' in target) return { devices: await listDeviceKeys(tx, tenantId, { states: waitingOnActivation }), skipped };
  if ('location' in target) {
    const devices = await listDeviceKeys(tx, tenantId, { location: target.location });
    if (devices.length === 0) throw new DomainError('not_found', `No device is registered at "${target.location}". Type "list" to see the locations.`);
    return { devices, skipped };
  }
  const macs: string[] = [];
  for (const raw of target.macs) {
    const parsed = parseMac(raw);
    if (parsed.ok) macs.push(parsed.mac);
    else skipped.push({ mac: raw, reason: parsed.reason });
  }
  const found = await findDevicesByMacs(tx, tenantId, macs);
  const devices: DeviceKey[] = [];
  for (const mac of new Set(macs)) {
    const device = found.get(mac);
    if (device) devices.push(device);
    else skipped.push({ mac, reason: 'not registered; register it first' });
  }
  return { devices, skipped };
}

/** Hashes of the tenant's live codes: a new code must differ from all of them. */
async function liveCodeHashes(tx: DatabaseOrTransaction, tenantId: string, now: Date): Promise<Set<string>> {
  const rows = await tx.verificationCode.findMany({ where: { tenantId, status: 'live', expiresAt: { gt: now } }, select: { codeHash: true } });
  return new Set(rows.map((row) => row.codeHash));
}

/** What a hand-off keeps, sealed, so its card can be drawn again: never stored readable. */
export interface HandoffEntry {
  deviceId: string;
  mac: string;
  location: string | null;
  code: string;
}

export function createVerificationCodes(db: Database, clock: Clock, hasher: KeyedHasher, handoffBox: SealedBox, codeTtlMs: number): VerificationCodes {
  return {
    async issue(actor, tenantId, target) {
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + codeTtlMs);
      return db.$transaction(
        async (tx) => {
          const { devices, skipped } = await devicesFor(tx, tenantId, target);
          const eligible = devices.filter((device) => {
            if (waitingOnActivation.includes(device.state)) return true;
            skipped.push({ mac: device.mac, reason: `already ${stateLabels[device.state]}; a factory reset is needed to provision it again` });
            return false;
          });
          if (eligible.length === 0) return { batchId: '', expiresAt, issued: [], skipped };

          const taken = await liveCodeHashes(tx, tenantId, now);
          const batchId = newId();
          const issuedBy = actorLabel(actor);
          const issued: IssuedCode[] = [];
          const rows: CompleteRow<'VerificationCode'>[] = [];
          for (const device of eligible) {
            let code: string;
            let codeHash: string;
            do {
              code = randomDigits(codeLength);
              codeHash = hasher.hash(code);
            } while (taken.has(codeHash));
            taken.add(codeHash);
            issued.push({ deviceId: device.id, mac: device.mac, location: device.location, code, expiresAt });
            rows.push({ id: newId(), tenantId, deviceId: device.id, codeHash, batchId, status: 'live', issuedBy, issuedAt: now, expiresAt, closedAt: null });
          }
          // Issuing again revokes the previous code. A tenant without any live code (a first
          // issue) is spared the UPDATE over every device: one indexed lookup instead.
          if (await tx.verificationCode.findFirst({ where: { tenantId, status: 'live' }, select: { id: true } })) {
            await updateWhereIn(tx, 'VerificationCode', {
              set: { status: 'revoked', closedAt: now },
              where: { tenantId, status: 'live' },
              column: 'deviceId',
              values: eligible.map((device) => device.id),
            });
          }
          await insertRows(tx, 'VerificationCode', rows);
          const data = { batchId, expiresAt: expiresAt.toISOString() };
          await moveDevicesTogether(tx, eligible.filter((device) => device.state === 'registered'), { step: 'issue_code', actor, data }, now);
          // A device that had a code stays code_issued: its new code is recorded, not a move.
          const reissued = eligible.filter((device) => device.state === 'code_issued');
          await recordAudits(tx, reissued.map((device) => ({ tenantId, deviceId: device.id, actor, action: deviceRecords.reissue_code.audit, data })), now);
          const entries: HandoffEntry[] = issued.map(({ deviceId, mac, location, code }) => ({ deviceId, mac, location, code }));
          await tx.handoffBatch.create({
            data: { id: batchId, tenantId, issuedBy, issuedByName: actor.kind === 'user' ? (actor.name ?? null) : null, sealedCodes: handoffBox.seal(JSON.stringify(entries)), expiresAt, createdAt: now },
          });
          await enqueueEvent(
            tx,
            {
              kind: deviceSteps.issue_code.event,
              tenantId,
              actor: issuedBy,
              batchId,
              devices: issued.map((entry) => ({ mac: entry.mac, location: entry.location, expiresAt: expiresAt.toISOString() })),
            },
            now,
          );
          return { batchId, expiresAt, issued, skipped };
        },
        { timeout: 120_000, maxWait: 30_000 },
      );
    },
  };
}
