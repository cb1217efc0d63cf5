// The notifications a provision causes, watched end to end: one fake channel plays the
// technicians channel (its hand-off cards redrawn) and the admins channel (an "awaiting sign-in"
// card per device). The outbox records each destination it served (its rows' progress). Every
// destination but a hand-off redraw is one activity the channel must have received exactly
// once, and every provisioned device must have exactly one awaiting card. Redraws of one card
// that several notifications of an outbox run ask for are sent once (the outbox coalesces
// them), so the channel gets at most one hand-off update per redraw served.
// Used by the device-api benchmark (SQLite) and scale-out (PostgreSQL).
import { createClient, type Client as LibsqlClient } from '@libsql/client';
import type pg from 'pg';
import type { FakeChannel, ReceivedActivity } from '../../test/helpers/fake-channel.ts';
import { stopwatch } from '../harness.ts';
import type { ChildServer } from './child-server.ts';
import type { Answer, LoadClient } from './load-client.ts';
import { measuredBatch, provisionBodies, provisionPath, type MeasuredBatch } from './provision-load.ts';

/** The admin who sets up the two channels (ADMIN_USER_IDS of every instance). */
export const benchChannelAdmin = { id: '29:bench-admin', name: 'Bench Admin', aadObjectId: '5ca1e0a7-0000-4000-8000-00000000be0c' };
const team = '19:bench-team@thread.tacv2';
export const techniciansChannel = '19:bench-technicians@thread.tacv2';
export const adminsChannel = '19:bench-admins@thread.tacv2';
/** A notification slower than this to arrive is a failure, not a latency. */
const deliveryTimeoutMs = 120_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the outbox says it did, summed over all its rows. */
export interface OutboxTotals {
  pending: number;
  dead: number;
  /** Destinations served (the rows' progress), hand-off redraws left out: each is one activity the channel must have received. */
  served: number;
  /** Hand-off redraws served: at most one activity each (shared ones are sent once). */
  redraws: number;
  provisioned: number;
}

/** Reads the outbox's totals straight from the database, beside the bot. */
export interface OutboxReader {
  totals(): Promise<OutboxTotals>;
  close(): Promise<void>;
}

/** The hand-off redraws' destination keys (bot/notifications/handoff-deliveries.ts). */
const redrawKeys = `'redraw-handoff-%'`;
const totalsOf = (row: Record<string, unknown>): OutboxTotals => ({
  pending: Number(row.pending),
  dead: Number(row.dead),
  served: Number(row.served) - Number(row.redraws),
  redraws: Number(row.redraws),
  provisioned: Number(row.provisioned),
});

export function postgresOutboxReader(db: pg.Client): OutboxReader {
  return {
    async totals() {
      const { rows } = await db.query<Record<string, unknown>>(
        `SELECT count(*) FILTER (WHERE status = 'pending') AS pending, count(*) FILTER (WHERE status = 'dead') AS dead,
                coalesce(sum(json_array_length(coalesce(progress, '[]')::json)), 0) AS served,
                count(*) FILTER (WHERE kind = 'device.provisioned') AS provisioned,
                (SELECT count(*) FROM "OutboxMessage", json_array_elements_text(coalesce(progress, '[]')::json) AS served(key) WHERE served.key LIKE ${redrawKeys}) AS redraws
           FROM "OutboxMessage"`,
      );
      return totalsOf(rows[0]!);
    },
    close: async () => {},
  };
}

/** `url`: the bot's SQLite file (a reader of its own: WAL lets it read while the bot writes). */
export function sqliteOutboxReader(url: string): OutboxReader {
  const db: LibsqlClient = createClient({ url });
  return {
    async totals() {
      const { rows } = await db.execute(
        `SELECT count(*) FILTER (WHERE status = 'pending') AS pending, count(*) FILTER (WHERE status = 'dead') AS dead,
                coalesce(sum(json_array_length(coalesce(progress, '[]'))), 0) AS served,
                count(*) FILTER (WHERE kind = 'device.provisioned') AS provisioned,
                (SELECT count(*) FROM "OutboxMessage", json_each(coalesce(progress, '[]')) AS served WHERE served.value LIKE ${redrawKeys}) AS redraws
           FROM "OutboxMessage"`,
      );
      return totalsOf(rows[0] as unknown as Record<string, unknown>);
    },
    close: async () => db.close(),
  };
}

/** New activities (not replies to a message): posts and updates the outbox sent. */
const isNotification = (activity: ReceivedActivity) => activity.method === 'PUT' || activity.targetActivityId === null;
const isHandoffUpdate = (activity: ReceivedActivity) => activity.conversationId === techniciansChannel && activity.method === 'PUT';
const macOfAwaitingCard = (activity: ReceivedActivity) => /^Device ([0-9A-F-]{17})/.exec(String(activity.body.summary ?? ''))?.[1] ?? null;

/** The fake channel of the two notification channels, and the counts read off it. */
export class NotificationWatch {
  constructor(
    readonly channel: FakeChannel,
    readonly outbox: OutboxReader,
  ) {}

  notifications(): ReceivedActivity[] {
    return this.channel.received.filter(isNotification);
  }

  /** Notifications other than hand-off updates: one per destination served. */
  countedOnce(): ReceivedActivity[] {
    return this.notifications().filter((activity) => !isHandoffUpdate(activity));
  }

  /** Until the outbox has nothing pending and the channel has every notification it served. */
  async drained(): Promise<OutboxTotals> {
    const deadline = Date.now() + deliveryTimeoutMs;
    for (;;) {
      const totals = await this.outbox.totals();
      if (totals.pending === 0 && this.countedOnce().length >= totals.served) return totals;
      if (Date.now() > deadline) throw new Error(`the outbox did not drain within ${deliveryTimeoutMs} ms (${JSON.stringify(totals)}, ${this.countedOnce().length} notifications other than hand-off updates received)`);
      await sleep(50);
    }
  }
}

/** The admin makes one channel the technicians' and another the admins', as in a tenant's set-up. */
export async function setUpChannels(channel: FakeChannel, botUrl: string): Promise<void> {
  channel.useBot(botUrl);
  for (const [audience, conversationId] of [
    ['technicians', techniciansChannel],
    ['admins', adminsChannel],
  ] as const) {
    const answer = await channel.message(`setup ${audience}`, { from: benchChannelAdmin, conversationId, conversationType: 'channel', teamId: team, mentionBot: true });
    if (answer.status !== 200) throw new Error(`"setup ${audience}" answered ${answer.status}`);
  }
  await channel.waitFor(2, (activity) => /now receives/.test(String(activity.body.text ?? activity.body.summary ?? '')), 20_000);
}

export interface Delivery {
  /** Destinations the outbox recorded as served during the batch, hand-off redraws left out. */
  expected: number;
  /** Notifications the channel received during the batch, hand-off updates left out. */
  received: number;
  /** Hand-off redraws the outbox recorded as served: the channel may have got fewer updates (shared sends), never more. */
  redraws: number;
  /** device.provisioned events in the outbox: one per provision of the batch. */
  provisionedEvents: number;
  provisions: number;
  /** Provisioned devices of the batch without an awaiting sign-in card, or with more than one. */
  missingCards: number;
  duplicateCards: number;
  dead: number;
  handoffUpdates: number;
}

export interface ProvisionRun extends MeasuredBatch {
  delivery: Delivery;
  /** Provisions per second from the batch's start until the outbox had delivered all they caused. */
  deliveredThroughput: number;
}

/**
 * Provisions `count` devices from `first` on (request i to servers[i % n]) and waits until the
 * outbox has delivered everything they caused: the CPU per request counts that delivery too.
 * `afterDrained` runs right after the outbox drained (e.g. to read the database's CPU).
 */
export async function provisionRun(
  servers: readonly ChildServer[],
  client: LoadClient,
  watch: NotificationWatch,
  codes: ReadonlyMap<string, string>,
  range: { first: number; count: number; concurrency: number },
  check: (answer: Answer, index: number) => string | null,
  afterDrained?: () => Promise<void>,
): Promise<ProvisionRun> {
  const { first, count, concurrency } = range;
  const before = await watch.drained();
  const receivedBefore = watch.notifications().length;
  const countedBefore = watch.countedOnce().length;
  const bodies = provisionBodies(codes, first, count);
  let after = before;
  const elapsed = stopwatch();
  const batch = await measuredBatch(servers, provisionPath, client, bodies, concurrency, check, async () => {
    after = await watch.drained();
    await afterDrained?.();
  });
  const deliveredThroughput = count / (elapsed() / 1000);
  // Anything sent twice would have arrived by now.
  await sleep(300);
  const fresh = watch.notifications().slice(receivedBefore);
  const cards = new Map<string, number>();
  for (const activity of fresh) {
    const mac = activity.conversationId === adminsChannel && activity.method === 'POST' ? macOfAwaitingCard(activity) : null;
    if (mac) cards.set(mac, (cards.get(mac) ?? 0) + 1);
  }
  const macs = bodies.map((body) => body.mac);
  return {
    ...batch,
    deliveredThroughput,
    delivery: {
      expected: after.served - before.served,
      received: watch.countedOnce().length - countedBefore,
      redraws: after.redraws - before.redraws,
      provisionedEvents: after.provisioned - before.provisioned,
      provisions: count,
      missingCards: macs.filter((mac) => !cards.has(mac)).length,
      duplicateCards: macs.filter((mac) => (cards.get(mac) ?? 0) > 1).length,
      dead: after.dead - before.dead,
      handoffUpdates: fresh.filter(isHandoffUpdate).length,
    },
  };
}

export const exactlyOnce = (delivery: Delivery) =>
  delivery.expected === delivery.received &&
  delivery.handoffUpdates <= delivery.redraws &&
  (delivery.redraws === 0 || delivery.handoffUpdates > 0) &&
  delivery.provisionedEvents === delivery.provisions &&
  delivery.missingCards === 0 &&
  delivery.duplicateCards === 0 &&
  delivery.dead === 0;
