// Batches of chat messages against a server's /api/messages, as Teams delivers them: the fake
// channel builds each activity (its serviceUrl is the channel, where the replies go), the
// keep-alive client POSTs it, and the reply watch stamps the reply's arrival. A message's
// latency runs from its POST until its reply reached the channel. Each message must get
// exactly one reply, and the reply must be the right one (`check`): a batch of error cards
// answered fast measures nothing.
//
// A line may serve several servers (instances of the bot): message i goes to servers[i % n],
// round robin, as a load balancer without affinity would spread them.
//
// One ChatLine per server (or set of servers), kept for all its batches (warm-up included): its sockets, and the
// server's sockets back to the channel, are open before a measured batch starts. Opening 50
// connections at the start of each batch made a few of them wait seconds for their first
// answer while the others cycled (on the echo bot as on ours): that measured the start-up of
// connections, not the server.
import { performance } from 'node:perf_hooks';
import { FakeChannel, type ReceivedActivity } from '../../test/helpers/fake-channel.ts';
import { keepAliveClient, Outcomes, runConcurrently, type LoadClient } from './load-client.ts';
import { watchReplies, type ReplyWatch } from './reply-watch.ts';

export interface ChatMessage {
  text: string;
  from: { id: string; name: string; aadObjectId: string };
  conversationId: string;
}

export interface ChatBatch {
  /** Messages per second over the batch's wall time. */
  throughput: number;
  /** ms from each POST to its reply at the channel. */
  latencies: number[];
  outcomes: Outcomes;
  /** Messages that got no reply, or more than one. */
  missingReplies: number;
  duplicateReplies: number;
  /** Replies that were not the expected answer (see `check`). */
  wrongReplies: number;
  /** Activities the channel got during the batch that replied to nothing (proactive messages). */
  strays: number;
}

export type ReplyCheck = (reply: ReceivedActivity, message: ChatMessage) => string | null;

/** Generous: a reply slower than this is a failure, not a latency. */
const replyTimeoutMs = 30_000;

export class ChatLine {
  private constructor(
    private readonly botUrls: readonly string[],
    private readonly concurrency: number,
    private readonly channel: FakeChannel,
    private readonly watch: ReplyWatch,
    private readonly client: LoadClient,
  ) {}

  static async open(botUrl: string | readonly string[], concurrency: number): Promise<ChatLine> {
    const botUrls = typeof botUrl === 'string' ? [botUrl] : botUrl;
    const channel = await FakeChannel.start(botUrls[0]);
    return new ChatLine(botUrls, concurrency, channel, watchReplies(channel), keepAliveClient(concurrency));
  }

  async batch(messages: readonly ChatMessage[], check: ReplyCheck): Promise<ChatBatch> {
    const outcomes = new Outcomes();
    const latencies: number[] = [];
    const sentIds: string[] = [];
    const straysBefore = this.watch.strays();
    let wrongReplies = 0;
    const wallMs = await runConcurrently(messages.length, this.concurrency, async (index) => {
      const message = messages[index]!;
      const activity = this.channel.activity({ type: 'message', text: message.text, entities: [] }, { from: message.from, conversationId: message.conversationId });
      const id = String(activity.id);
      sentIds.push(id);
      const sentAt = performance.now();
      try {
        const answer = await this.client.post(`${this.botUrls[index % this.botUrls.length]}/api/messages`, activity);
        outcomes.record(answer.status);
      } catch (error) {
        outcomes.problem(`POST failed: ${(error as Error).message}`);
        return;
      }
      // The adapter answers the POST once the turn is over, so the reply is normally in already.
      const reply = await this.watch.replyTo(id, replyTimeoutMs);
      if (!reply) return;
      latencies.push(reply.at - sentAt);
      const wrong = check(reply.activity, message);
      if (wrong !== null) {
        wrongReplies++;
        outcomes.firstProblem ??= wrong;
      }
    });
    const counts = sentIds.map((id) => this.watch.replyCount(id));
    return {
      throughput: messages.length / (wallMs / 1000),
      latencies,
      outcomes,
      missingReplies: counts.filter((count) => count === 0).length,
      duplicateReplies: counts.filter((count) => count > 1).length,
      wrongReplies,
      strays: this.watch.strays() - straysBefore,
    };
  }

  async close(): Promise<void> {
    this.client.close();
    await this.watch.stop();
    await this.channel.close();
  }
}

/** True when nothing went wrong in the batch: every message answered 2xx, once, with the right reply. */
export function cleanBatch(batch: ChatBatch): boolean {
  return batch.outcomes.errors === 0 && batch.outcomes.non2xx === 0 && batch.missingReplies === 0 && batch.duplicateReplies === 0 && batch.wrongReplies === 0;
}
