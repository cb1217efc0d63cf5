// Helpers for the bad-input drills (test/property/, test/integration/bad-input/): the domain
// services on a real store without the HTTP server, a snapshot of everything a refused input
// must leave untouched, and raw HTTP requests that fetch() cannot make (chunked bodies without
// a content-length, bodies that lie about their type or encoding).
import { request } from 'node:http';
import { openStore, type Database, type Store } from '../../prisma/store.ts';
import { createScratchDatabase } from '../../prisma/schema-engine/index.ts';
import type { Provider } from '../../prisma/schemas.ts';
import { createServices, type Services } from '../../services/index.ts';
import type { Clock } from '../../services/shared/clock.ts';
import { systemClock } from '../../services/shared/clock.ts';
import { postgresServerUrl } from './postgres.ts';

export interface TestStore {
  store: Store;
  services: Services;
  close(): Promise<void>;
}

/** The services on a fresh database of the provider (a temporary SQLite file, or a scratch PostgreSQL database). */
export async function openTestStore(provider: Provider, options: { clock?: Clock; bootstrapAdmins?: string[] } = {}): Promise<TestStore> {
  const database = await createScratchDatabase(provider, provider === 'postgresql' ? postgresServerUrl('bad-input') : undefined, 'bad_input');
  const store = await openStore(database.url);
  const services = createServices({
    db: store.db,
    clock: options.clock ?? systemClock,
    settings: {
      codeTtlMs: 24 * 3_600_000,
      codeHashSecret: 'bad-input-secret-0123456789-0123456789-0123456789',
      // Teams principals (Entra object ids), as bot/server.ts makes them of ADMIN_USER_IDS.
      bootstrapAdmins: (options.bootstrapAdmins ?? []).map((userId) => ({ platform: 'teams' as const, userId })),
    },
  });
  return {
    store,
    services,
    async close() {
      await store.close();
      await database.drop();
    },
  };
}

/**
 * Everything a refused input must leave as it was: devices, codes, sign-in sessions, hand-offs,
 * role grants, and how many audit events and notifications exist. Turn bookkeeping (which
 * activities were handled, where conversations are) is left out: every turn writes it.
 */
export async function domainSnapshot(db: Database) {
  const [devices, codes, sessions, batches, grants, audit, outbox, attempts, postedCards] = await Promise.all([
    db.device.findMany({ orderBy: { id: 'asc' } }),
    db.verificationCode.findMany({ orderBy: { id: 'asc' } }),
    db.signInSession.findMany({ orderBy: { id: 'asc' } }),
    db.handoffBatch.findMany({ orderBy: { id: 'asc' } }),
    db.roleGrant.findMany({ orderBy: { id: 'asc' } }),
    db.auditEvent.count(),
    db.outboxMessage.count(),
    db.provisioningAttempt.count(),
    db.postedCard.count(),
  ]);
  // SIP bulk sign-in's tables: a refused `sip …` must leave them as they were too.
  const sip = await Promise.all([db.sipImport.count(), db.sipAccount.findMany({ orderBy: { id: 'asc' } }), db.sipBatch.findMany({ orderBy: { id: 'asc' } }), db.sipSettings.findMany()]);
  return { devices, codes, sessions, batches, grants, audit, outbox, attempts, postedCards, sip };
}

/** How many rows the registry writes to: what a refused import must leave unchanged. */
export async function registryCounts(db: Database) {
  const [devices, audit, outbox] = await Promise.all([db.device.count(), db.auditEvent.count(), db.outboxMessage.count()]);
  return { devices, audit, outbox };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/**
 * A POST written chunk by chunk with node:http, so a test controls the headers exactly: with no
 * content-length the body goes out chunked (Transfer-Encoding: chunked), as a streaming client sends it.
 * Each on a connection of its own (agent: false): a kept-alive socket that the server closes
 * while it sits idle in a pool resets the next request sent on it, which on a loaded machine
 * happens often enough to make a test flaky.
 */
export function rawPost(baseUrl: string, path: string, headers: Record<string, string>, chunks: readonly (Buffer | string)[]): Promise<RawResponse> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

/** A message as long as wanted, of the given text repeated (cheap to build, obvious in failures). */
export function repeatTo(bytes: number, unit = 'x'): string {
  return unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
}

/**
 * Delivers what the set-up enqueued before a test snapshots the store: delivery writes too
 * (posted cards, progress), and would otherwise show up as a change the refused input made.
 */
export async function deliverPendingNotifications(server: { store: Store; outbox: { kick(): void } }, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await server.store.db.outboxMessage.count({ where: { status: 'pending' } })) > 0) {
    if (Date.now() > deadline) throw new Error(`the set-up notifications were not delivered within ${timeoutMs / 1000} s`);
    server.outbox.kick();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
