// Codes for 10,000 devices waiting on activation (`codes all`) through the codes service: one
// transaction that picks the devices, draws and hashes a distinct code each, revokes earlier
// codes, stores the new ones, moves the devices to code_issued with an audit row each, seals
// the hand-off and queues its event. Against the raw driver doing only the essential writes of
// it in one transaction: the 10,000 code rows with precomputed hashes, and the devices' state.
import { createScratchDatabase } from '../../prisma/schema-engine/index.ts';
import type { Provider } from '../../prisma/schemas.ts';
import { openStore } from '../../prisma/store.ts';
import { createServices } from '../../services/index.ts';
import { systemClock } from '../../services/shared/clock.ts';
import { createKeyedHasher } from '../../services/shared/keyed-hash.ts';
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

async function measure(provider: Provider, devices: number, runs: number, withReissue: boolean, postgresUrl: string | null): Promise<BenchResult> {
  const database = await createScratchDatabase(provider, postgresUrl ?? undefined, 'bench_codes');
  const store = await openStore(database.url);
  const raw = await openRawDatabase(database.url);
  try {
    const services = createServices({ db: store.db, clock: systemClock, settings: { codeTtlMs, codeHashSecret, bootstrapAdmins: [] } });
    // The devices come in through the registry, as an admin's import would bring them.
    await services.devices.registry.register(admin, tenantId, Array.from({ length: devices }, (_, index) => ({ mac: macOf(index), location: `Floor ${index % 20}` })));
    const hasher = createKeyedHasher(codeHashSecret);

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
      const deviceIds = (await store.db.device.findMany({ where: { tenantId, state: 'registered' }, select: { id: true } })).map((row) => row.id);
      if (deviceIds.length !== devices) throw new Error('the devices are not all waiting before the baseline');
      const batchId = newId();
      const rows: RawValue[][] = deviceIds.map((deviceId) => [newId(), tenantId, deviceId, hasher.hash(randomDigits(6)), batchId, 'live', `user:${admin.id}`, now, expiresAt, null]);
      const theirs = stopwatch();
      const theirsCpu = cpuStopwatch();
      await raw.transaction(async (tx) => {
        await tx.insert('VerificationCode', codeColumns, rows);
        const moved = await tx.execute(`UPDATE "Device" SET "state" = 'code_issued', "stateChangedAt" = ?, "updatedAt" = ? WHERE "tenantId" = ? AND "state" = 'registered'`, [now, now, tenantId]);
        if (moved !== devices) throw new Error(`the baseline moved ${moved} devices`);
      });
      baseline.push(theirs());
      baselineCpu.push(theirsCpu());
    }

    return {
      name: 'codes',
      database: provider,
      parameters: { devices, runs },
      unit: 'ms',
      samples,
      baseline: { description: `${rawDriverName[provider]}, one transaction: the 10,000 code rows with precomputed hashes, one UPDATE of the devices' state`, samples: baseline },
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
