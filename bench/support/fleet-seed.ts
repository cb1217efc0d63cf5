// Fills a benchmark's database through the real services (the same calls the chat commands
// make), before the server under test is started on it: registered devices, their codes, and
// the people who may ask about them.
import { openStore } from '../../prisma/store.ts';
import { createServices, type Services } from '../../services/index.ts';
import { systemClock } from '../../services/shared/clock.ts';

/** The CODE_HASH_SECRET both the seeding and the server use, so the codes issued here are the ones the server checks. */
export const benchCodeHashSecret = 'bench-secret-0123456789-0123456789-0123456789';
export const benchAdmin = { kind: 'user' as const, id: 'aad-bench-admin', name: 'Bench Admin' };

/** The index-th benchmark MAC: 02-… is a locally administered range, so no real vendor's. */
export function benchMac(index: number): string {
  const octets = [0x02, 0x00, (index >>> 24) & 0xff, (index >>> 16) & 0xff, (index >>> 8) & 0xff, index & 0xff];
  return octets.map((octet) => octet.toString(16).padStart(2, '0').toUpperCase()).join('-');
}

/** Opens the store at `databaseUrl` (migrations applied), runs `fill` on its services, closes it. */
export async function seedThroughServices<T>(databaseUrl: string, fill: (services: Services) => Promise<T>): Promise<T> {
  const store = await openStore(databaseUrl);
  try {
    const services = createServices({
      db: store.db,
      clock: systemClock,
      settings: { codeTtlMs: 24 * 3_600_000, codeHashSecret: benchCodeHashSecret, bootstrapAdmins: [] },
    });
    return await fill(services);
  } finally {
    await store.close();
  }
}

/**
 * How many devices get their codes together: a site's worth, as an admin issues them ("codes
 * location Floor 3"). One hand-off batch per issue; each provision redraws (and reads) its
 * device's batch, so one batch of the whole fleet would measure an unrealistic hand-off card.
 */
export const handoffBatchSize = 50;

/** Device i's location: 20 floors, neighbouring MACs on different floors. */
const floorsInTurn = (index: number) => `Floor ${index % 20}`;

/**
 * Device i's location when a site's devices are registered, issued and brought online
 * together: each hand-off batch is one site.
 */
export const sitePerBatch = (index: number) => `Site ${Math.floor(index / handoffBatchSize)}`;

/** Registers MACs first … first+count-1 (at 20 locations unless `locationOf` says otherwise), and issues their codes in hand-off batches: MAC → code. */
export async function registerWithCodes(services: Services, tenantId: string, first: number, count: number, locationOf: (index: number) => string = floorsInTurn): Promise<Map<string, string>> {
  const entries = Array.from({ length: count }, (_, offset) => ({ mac: benchMac(first + offset), location: locationOf(first + offset) }));
  const registered = await services.devices.registry.register(benchAdmin, tenantId, entries);
  if (registered.added.length !== count) throw new Error(`seeding registered ${registered.added.length} of ${count} devices`);
  const codes = new Map<string, string>();
  for (let start = 0; start < count; start += handoffBatchSize) {
    const macs = entries.slice(start, start + handoffBatchSize).map((entry) => entry.mac);
    const issued = await services.devices.codes.issue(benchAdmin, tenantId, { macs });
    if (issued.issued.length !== macs.length) throw new Error(`seeding issued ${issued.issued.length} of ${macs.length} codes: ${JSON.stringify(issued.skipped.slice(0, 3))}`);
    for (const code of issued.issued) codes.set(code.mac, code.code);
  }
  return codes;
}
