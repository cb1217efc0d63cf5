// What the expiry jobs' cards need to know about the codes of a hand-off: which devices a
// warned batch could still be given new codes for, and who issued codes that expired.
import type { Database } from '../../prisma/store.ts';
import { waitingOnActivation } from '../devices/device-state.ts';

/**
 * The MACs of a batch at one location (null: devices without a location) that new codes can
 * replace: still waiting on activation, and this batch's code not replaced by a newer one or
 * used. Works after the batch's sealed codes are gone: it reads the code rows.
 */
export async function regenerableMacs(db: Database, tenantId: string, batchId: string, location: string | null): Promise<string[]> {
  const codes = await db.verificationCode.findMany({
    where: { tenantId, batchId, status: { in: ['live', 'expired'] }, device: { location, state: { in: [...waitingOnActivation] } } },
    select: { device: { select: { mac: true } } },
  });
  return [...new Set(codes.map((code) => code.device.mac))].sort();
}

/** Who issued the latest expired code of each of these devices ("user:<id>", …), each once. */
export async function expiredCodeIssuers(db: Database, tenantId: string, macs: readonly string[]): Promise<string[]> {
  const issuers = new Set<string>();
  for (let start = 0; start < macs.length; start += 500) {
    const codes = await db.verificationCode.findMany({
      where: { tenantId, status: 'expired', device: { mac: { in: macs.slice(start, start + 500) } } },
      orderBy: { issuedAt: 'desc' },
      select: { deviceId: true, issuedBy: true },
    });
    const seen = new Set<string>();
    for (const code of codes) {
      if (seen.has(code.deviceId)) continue;
      seen.add(code.deviceId);
      issuers.add(code.issuedBy);
    }
  }
  return [...issuers];
}
