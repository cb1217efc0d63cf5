// A 10,000-row CSV import through the import service (parse, validate, store in one
// transaction: the devices, an audit row each, the outbox event), against the same rows
// written with the raw driver in one transaction. Each run starts from the same empty tenant.
import { createScratchDatabase } from '../../prisma/schema-engine/index.ts';
import type { Provider } from '../../prisma/schemas.ts';
import { openStore } from '../../prisma/store.ts';
import { parseDeviceCsv } from '../../services/devices/csv-device-list.ts';
import { createServices } from '../../services/index.ts';
import { systemClock } from '../../services/shared/clock.ts';
import { newId } from '../../services/shared/random.ts';
import { atMost, median, ratioToBaseline, stopwatch, type Benchmark, type BenchResult } from '../harness.ts';
import { cpuStopwatch } from '../support/cpu-time.ts';
import { openRawDatabase, rawDriverName, type RawDatabase, type RawValue } from '../support/raw-driver.ts';

const tenantId = 'bench-import-tenant';
const admin = { kind: 'user' as const, id: 'aad-bench-admin' };
const rowCount = 10_000;
const warmUpRows = 1_000;

/** The i-th MAC, written the ways the admin center's exports and people write them. */
function macOf(index: number): string {
  const octets = [0x02, 0x00, 0x00, (index >> 16) & 0xff, (index >> 8) & 0xff, index & 0xff].map((octet) => octet.toString(16).padStart(2, '0'));
  return index % 2 === 0 ? octets.join('-').toUpperCase() : octets.join(':');
}

/** The admin center's template: MAC, location, model; ";" separated, with a BOM and CRLF. */
function buildCsv(rows: number): string {
  const lines = Array.from({ length: rows }, (_, index) => `${macOf(index)};Building ${index % 7} floor ${index % 20};Model ${index % 5}`);
  return `\uFEFFMAC address;Location;Model\r\n${lines.join('\r\n')}\r\n`;
}

const deviceColumns = ['id', 'tenantId', 'mac', 'location', 'model', 'firmwareVersion', 'state', 'stateChangedAt', 'deviceTokenHash', 'signedInAccount', 'registeredBy', 'createdAt', 'updatedAt'];
const auditColumns = ['id', 'tenantId', 'deviceId', 'actor', 'action', 'fromState', 'toState', 'reason', 'data', 'at'];
const outboxColumns = ['id', 'tenantId', 'kind', 'payload', 'status', 'attempts', 'nextAttemptAt', 'createdAt'];

/** What the import writes for these CSV rows, as raw rows: the devices, an audit row each, the outbox event. */
function rowsTheImportWrites(csv: string) {
  const now = new Date();
  const actor = `user:${admin.id}`;
  const parsed = parseDeviceCsv(csv).rows;
  const devices: RawValue[][] = parsed.map((row) => [newId(), tenantId, row.mac, row.location, row.model, null, 'registered', now, null, null, actor, now, now]);
  const audits: RawValue[][] = devices.map((device) => [newId(), tenantId, device[0] ?? null, actor, 'device.registered', null, 'registered', null, null, now]);
  const payload = JSON.stringify({ kind: 'devices.registered', tenantId, actor, macs: parsed.map((row) => row.mac) });
  const outbox: RawValue[][] = [[newId(), tenantId, 'devices.registered', payload, 'pending', 0, now, now]];
  return { devices, audits, outbox };
}

/** Back to an empty tenant, with the write-ahead log folded in, so every run starts alike. */
async function clear(raw: RawDatabase): Promise<void> {
  if (raw.provider === 'postgresql') {
    await raw.execute('TRUNCATE "AuditEvent", "OutboxMessage", "Device" CASCADE');
    return;
  }
  for (const table of ['AuditEvent', 'OutboxMessage', 'Device']) await raw.execute(`DELETE FROM "${table}"`);
  await raw.execute('PRAGMA wal_checkpoint(TRUNCATE)');
}

const count = (raw: RawDatabase, table: string) => raw.number(`SELECT COUNT(*) FROM "${table}" WHERE "tenantId" = ?`, [tenantId]);

async function measure(provider: Provider, runs: number, postgresUrl: string | null): Promise<BenchResult> {
  const database = await createScratchDatabase(provider, postgresUrl ?? undefined, 'bench_import');
  const store = await openStore(database.url);
  const raw = await openRawDatabase(database.url);
  try {
    const services = createServices({ db: store.db, clock: systemClock, settings: { codeTtlMs: 86_400_000, codeHashSecret: 'bench-import-secret-0123456789-0123456789', bootstrapAdmins: [] } });
    const csv = buildCsv(rowCount);
    const written = rowsTheImportWrites(csv);
    await raw.execute('INSERT INTO "Tenant" ("id", "timeZone", "createdAt", "updatedAt") VALUES (?, ?, ?, ?)', [tenantId, 'UTC', new Date(), new Date()]);

    // Warm-up, untimed: a running bot has long compiled its queries and code paths.
    await clear(raw);
    await services.devices.registry.importCsv(admin, tenantId, buildCsv(warmUpRows));
    await clear(raw);
    await raw.transaction((tx) => tx.insert('Device', deviceColumns, written.devices.slice(0, warmUpRows)));

    const samples: number[] = [];
    const baseline: number[] = [];
    const cpu: number[] = [];
    const baselineCpu: number[] = [];
    const devicesOnly: number[] = [];
    const parsing: number[] = [];
    // Interleaved: ours, then the baseline, run after run, so drift on a shared machine hits both.
    for (let run = 0; run < runs; run++) {
      await clear(raw);
      const ours = stopwatch();
      const oursCpu = cpuStopwatch();
      const report = await services.devices.registry.importCsv(admin, tenantId, csv);
      samples.push(ours());
      cpu.push(oursCpu());
      if (report.added.length !== rowCount || (await count(raw, 'AuditEvent')) !== rowCount) {
        throw new Error(`the import stored ${report.added.length} devices, expected ${rowCount}`);
      }

      await clear(raw);
      const theirs = stopwatch();
      const theirsCpu = cpuStopwatch();
      await raw.transaction(async (tx) => {
        await tx.insert('Device', deviceColumns, written.devices);
        await tx.insert('AuditEvent', auditColumns, written.audits);
        await tx.insert('OutboxMessage', outboxColumns, written.outbox);
      });
      baseline.push(theirs());
      baselineCpu.push(theirsCpu());
      if ((await count(raw, 'Device')) !== rowCount) throw new Error('the baseline did not store every device');

      await clear(raw);
      const devicesAlone = stopwatch();
      await raw.transaction((tx) => tx.insert('Device', deviceColumns, written.devices));
      devicesOnly.push(devicesAlone());

      const parse = stopwatch();
      parseDeviceCsv(csv);
      parsing.push(parse());
    }

    const result: BenchResult = {
      name: 'import',
      database: provider,
      parameters: { rows: rowCount, runs, csvBytes: Buffer.byteLength(csv) },
      unit: 'ms',
      samples,
      baseline: { description: `${rawDriverName[provider]}, one transaction: the same rows (10,000 devices, their 10,000 audit rows, the outbox event)`, samples: baseline },
      details: {
        'CPU ms': median(cpu),
        'baseline CPU ms': median(baselineCpu),
        // The baseline read strictly ("the same rows" as the CSV's): the devices alone.
        'raw, devices only ms': median(devicesOnly),
        'CSV parse ms': median(parsing),
      },
      targets: [],
    };
    if (provider === 'sqlite') {
      const ratio = ratioToBaseline(result) ?? Number.NaN;
      result.targets = [atMost(median(samples), 1000, 'ms'), { description: '≤ 4× baseline', met: ratio <= 4 }];
    }
    return result;
  } finally {
    await raw.close();
    await store.close();
    await database.drop();
  }
}

export const importBenchmark: Benchmark = {
  name: 'import',
  description: 'parse, validate and store a 10,000-row CSV through the import service',
  async run({ quick, postgresUrl }) {
    const results = [await measure('sqlite', quick ? 2 : 7, null)];
    if (postgresUrl) results.push(await measure('postgresql', quick ? 1 : 5, postgresUrl));
    return results;
  },
};
