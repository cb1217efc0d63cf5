// Codes for 10,000 devices waiting on activation (`codes all`) through the codes service: one
// transaction that picks the devices, draws and hashes a distinct code each, revokes earlier
// codes, stores the new ones, moves the devices to code_issued with an audit row each, seals
// the hand-off and queues its event. Against the raw driver writing the same rows in one
// transaction: the 10,000 code rows with precomputed hashes, the devices' state, the 10,000
// audit rows (the device timeline is a product requirement: each device's page shows who issued
// its code), the hand-off row with its sealed codes and the outbox row of the event (the
// technicians' card), each precomputed outside the clock. Until issue 17 the baseline wrote the
// code rows and the state only, a third of the rows the service must write.
import { createScratchDatabase } from '../../prisma/schema-engine/index.ts';
import type { Provider } from '../../prisma/schemas.ts';
import { openStore } from '../../prisma/store.ts';
import { createServices } from '../../services/index.ts';
import { systemClock } from '../../services/shared/clock.ts';
import { createKeyedHasher } from '../../services/shared/keyed-hash.ts';
import { createSealedBox } from '../../services/shared/sealed-box.ts';
import { newId, randomDigits } from '../../services/shared/random.ts';
import { atMost, median, stopwatch, type Benchmark, type BenchResult } from '../harness.ts';
import { cpuStopwatch } from '../support/cpu-time.ts';
import { openRawDatabase, rawDriverName, type RawDatabase, type RawValue } from '../support/raw-driver.ts';

const tenantId = 'bench-codes-tenant';
const admin = { kind: 'user' as const, id: 'aad-bench-admin', name: 'Bench Admin' };
const codeHashSecret = 'bench-codes-secret-0123456789-0123456789';
const codeTtlMs = 24 * 3_600_000;

function macOf(index: number): string {
  return [0x02, 0x00, 0x01, (index >> 16) & 0xff, (index >> 8) & 0xff, index & 0xff].map((octet) => octet.toString(16).padStart(2, '0').toUpperCase()).join('-');
}

/** Every device waiting on activation again, with no code, hand-off, event or audit row but its registration. */
async function reset(raw: RawDatabase): Promise<void> {
  for (const table of ['VerificationCode', 'HandoffBatch', 'OutboxMessage']) await raw.execute(`DELETE FROM "${table}"`);
  await raw.execute(`DELETE FROM "AuditEvent" WHERE "action" <> 'device.registered'`);
  await raw.execute(`UPDATE "Device" SET "state" = 'registered'`);
  if (raw.provider === 'postgresql') await raw.execute('VACUUM ANALYZE');
  else await raw.execute('PRAGMA wal_checkpoint(TRUNCATE)');
}

const codeColumns = ['id', 'tenantId', 'deviceId', 'codeHash', 'batchId', 'status', 'issuedBy', 'issuedAt', 'expiresAt', 'closedAt'];
const auditColumns = ['id', 'tenantId', 'deviceId', 'actor', 'actorName', 'action', 'fromState', 'toState', 'reason', 'data', 'at'];
const handoffColumns = ['id', 'tenantId', 'issuedBy', 'issuedByName', 'sealedCodes', 'expiresAt', 'createdAt'];
const outboxColumns = ['id', 'tenantId', 'kind', 'payload', 'dedupeKey', 'nextAttemptAt', 'createdAt'];

async function measure(provider: Provider, devices: number, runs: number, withReissue: boolean, postgresUrl: string | null): Promise<BenchResult> {
  const database = await createScratchDatabase(provider, postgresUrl ?? undefined, 'bench_codes');
  const store = await openStore(database.url);
  const raw = await openRawDatabase(database.url);
  try {
    const services = createServices({ db: store.db, clock: systemClock, settings: { codeTtlMs, codeHashSecret, bootstrapAdmins: [] } });
    // The devices come in through the registry, as an admin's import would bring them.
    await services.devices.registry.register(admin, tenantId, Array.from({ length: devices }, (_, index) => ({ mac: macOf(index), location: `Floor ${index % 20}` })));
    const hasher = createKeyedHasher(codeHashSecret);
    const handoffBox = createSealedBox(codeHashSecret, 'handoff-codes');

    // Warm-up, untimed: one floor's codes, so that the queries are compiled as in a running bot.
    await services.devices.codes.issue(admin, tenantId, { location: 'Floor 0' });

    const samples: number[] = [];
    const baseline: number[] = [];
    const cpu: number[] = [];
    const baselineCpu: number[] = [];
    const reissues: number[] = [];
    for (let run = 0; run < runs; run++) {
      await reset(raw);
      const ours = stopwatch();
      const oursCpu = cpuStopwatch();
      const report = await services.devices.codes.issue(admin, tenantId, { all: true });
      samples.push(ours());
      cpu.push(oursCpu());
      if (report.issued.length !== devices) throw new Error(`codes were issued for ${report.issued.length} devices, expected ${devices}`);
      if (withReissue) {
        // Issuing again for the same devices also revokes the 10,000 live codes first.
        const again = stopwatch();
        const second = await services.devices.codes.issue(admin, tenantId, { all: true });
        reissues.push(again());
        if (second.issued.length !== devices) throw new Error(`codes were reissued for ${second.issued.length} devices, expected ${devices}`);
      }

      await reset(raw);
      // Precomputed outside the clock: the baseline only writes.
      const now = new Date();
      const expiresAt = new Date(now.getTime() + codeTtlMs);
      const waiting = await store.db.device.findMany({ where: { tenantId, state: 'registered' }, select: { id: true, mac: true, location: true } });
      if (waiting.length !== devices) throw new Error('the devices are not all waiting before the baseline');
      const batchId = newId();
      const issuedBy = `user:${admin.id}`;
      const codes = waiting.map((device) => ({ ...device, code: randomDigits(6) }));
      const rows: RawValue[][] = codes.map((device) => [newId(), tenantId, device.id, hasher.hash(device.code), batchId, 'live', issuedBy, now, expiresAt, null]);
      const auditData = JSON.stringify({ batchId, expiresAt: expiresAt.toISOString() });
      const audits: RawValue[][] = codes.map((device) => [newId(), tenantId, device.id, issuedBy, admin.name, 'code.issued', 'registered', 'code_issued', null, auditData, now]);
      const sealedCodes = handoffBox.seal(JSON.stringify(codes.map(({ id, mac, location, code }) => ({ deviceId: id, mac, location, code }))));
      const handoff: RawValue[] = [batchId, tenantId, issuedBy, admin.name, sealedCodes, expiresAt, now];
      const event = { kind: 'codes.issued', tenantId, actor: issuedBy, batchId, devices: codes.map((device) => ({ mac: device.mac, location: device.location, expiresAt: expiresAt.toISOString() })) };
      const outbox: RawValue[] = [newId(), tenantId, event.kind, JSON.stringify(event), null, now, now];
      const theirs = stopwatch();
      const theirsCpu = cpuStopwatch();
      await raw.transaction(async (tx) => {
        await tx.insert('VerificationCode', codeColumns, rows);
        const moved = await tx.execute(`UPDATE "Device" SET "state" = 'code_issued', "stateChangedAt" = ?, "updatedAt" = ? WHERE "tenantId" = ? AND "state" = 'registered'`, [now, now, tenantId]);
        if (moved !== devices) throw new Error(`the baseline moved ${moved} devices`);
        await tx.insert('AuditEvent', auditColumns, audits);
        await tx.insert('HandoffBatch', handoffColumns, [handoff]);
        await tx.insert('OutboxMessage', outboxColumns, [outbox]);
      });
      baseline.push(theirs());
      baselineCpu.push(theirsCpu());
      const written = await raw.number(`SELECT COUNT(*) FROM "AuditEvent" WHERE "action" = 'code.issued'`);
      if (written !== devices) throw new Error(`the baseline wrote ${written} audit rows`);
    }

    return {
      name: 'codes',
      database: provider,
      parameters: { devices, runs },
      unit: 'ms',
      samples,
      baseline: {
        description: `${rawDriverName[provider]}, one transaction: the 10,000 code rows with precomputed hashes, one UPDATE of the devices' state, the 10,000 audit rows, the hand-off and outbox rows`,
        samples: baseline,
      },
      details: {
        'CPU ms': median(cpu),
        'baseline CPU ms': median(baselineCpu),
        ...(withReissue ? { 'reissue (revokes 10,000 live codes) ms': median(reissues) } : {}),
      },
      targets: provider === 'sqlite' ? [atMost(median(samples), 1000, 'ms')] : [],
    };
  } finally {
    await raw.close();
    await store.close();
    await database.drop();
  }
}

export const codesBenchmark: Benchmark = {
  name: 'codes',
  description: 'issue codes for 10,000 waiting devices through the codes service',
  async run({ quick, postgresUrl }) {
    // The reissue figure is for full runs only: it would add a second issue to every quick run.
    const results = [await measure('sqlite', 10_000, quick ? 2 : 7, !quick, null)];
    if (postgresUrl) results.push(await measure('postgresql', 10_000, quick ? 1 : 5, !quick, postgresUrl));
    return results;
  },
};
