// Validating and batching a 10,000-row SIP Gateway sign-in list (issue 15: ≤ 500 ms): the CSV
// read under the import's rules, every row judged (UPN, HardwareId as a MAC or an ATA port,
// Region, duplicates), then the accepted rows split into gateway batches of at most 100 per
// region. Pure CPU, no store. Baseline: csv-parse alone on the same text (the reading any
// validation has to pay for).
import { parse } from 'csv-parse/sync';
import { splitIntoBatches } from '../../services/sip/batching.ts';
import { parseSipCsv } from '../../services/sip/sip-csv.ts';
import { sipRegions } from '../../services/sip/regions.ts';
import { atMost, median, percentile, stopwatch, type Benchmark } from '../harness.ts';

const rowCount = 10_000;

function hardwareIdOf(index: number): string {
  const octets = [0x02, 0x51, 0x00, (index >> 16) & 0xff, (index >> 8) & 0xff, index & 0xff].map((octet) => octet.toString(16).padStart(2, '0'));
  // Phones in the forms people write, and every tenth an ATA port.
  if (index % 10 === 0) return `${octets.join('-').toUpperCase()}:00${1 + (index % 4)}`;
  return index % 2 === 0 ? octets.join('-').toUpperCase() : octets.join(':');
}

/** Username;HardwareId;Region with a BOM and CRLF, as Excel saves it in many locales. */
export function buildSipCsv(rows: number): string {
  const lines = Array.from({ length: rows }, (_, index) => `sip-phone-${index}@contoso.com;${hardwareIdOf(index)};${sipRegions[index % 3]}`);
  return `\uFEFFUsername;HardwareId;Region\r\n${lines.join('\r\n')}\r\n`;
}

export const sipCsvBenchmark: Benchmark = {
  name: 'sip-csv',
  description: 'validating and batching a 10,000-row SIP Gateway sign-in list',
  async run({ quick }) {
    const csv = buildSipCsv(rowCount);
    const runs = quick ? 5 : 20;
    const warmUps = 3;
    const ours: number[] = [];
    const baseline: number[] = [];
    let accepted = 0;
    let batches = 0;
    for (let run = 0; run < warmUps + runs; run++) {
      const elapsed = stopwatch();
      const result = parseSipCsv(csv);
      const planned = splitIntoBatches(result.rows.map((row) => ({ ...row, region: row.region ?? 'EMEA' })));
      const ms = elapsed();
      accepted = result.rows.length;
      batches = planned.length;
      const raw = stopwatch();
      parse(csv, { delimiter: ';', bom: true, relax_column_count: true });
      const rawMs = raw();
      if (run < warmUps) continue;
      ours.push(ms);
      baseline.push(rawMs);
    }
    if (accepted !== rowCount) throw new Error(`expected ${rowCount} accepted rows, got ${accepted}`);
    return [
      {
        name: 'sip-csv',
        parameters: { rows: rowCount, regions: 3, runs },
        unit: 'ms',
        samples: ours,
        baseline: { description: 'csv-parse alone on the same text', samples: baseline },
        details: { p95: percentile(ours, 95), accepted, batches },
        targets: [atMost(median(ours), 500, 'ms')],
      },
    ];
  },
};
