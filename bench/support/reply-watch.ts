// When each reply of the bot reached the fake channel, by the activity it replies to: the end
// of a chat message's latency. It rides on FakeChannel.waitUntil, whose condition runs each time
// the channel has recorded something, so an arrival is stamped in the same turn of the event
// loop as the channel received it.
import { performance } from 'node:perf_hooks';
import type { FakeChannel, ReceivedActivity } from '../../test/helpers/fake-channel.ts';

export interface Reply {
  at: number;
  activity: ReceivedActivity;
}

export interface ReplyWatch {
  /** The first reply to `activityId`, when it arrives; null if none came within `timeoutMs`. */
  replyTo(activityId: string, timeoutMs: number): Promise<Reply | null>;
  /** How many replies each activity got (exactly one is right). */
  replyCount(activityId: string): number;
  /** Activities the channel received that answer none of the watched messages (should be none). */
  strays(): number;
  stop(): Promise<void>;
}

export function watchReplies(channel: FakeChannel): ReplyWatch {
  const replies = new Map<string, Reply[]>();
  const waiting = new Map<string, (reply: Reply) => void>();
  let seen = 0;
  let strays = 0;
  let stopped = false;

  const takeNew = (): boolean => {
    const now = performance.now();
    for (; seen < channel.received.length; seen++) {
      const activity = channel.received[seen]!;
      const target = activity.targetActivityId;
      if (target === null || activity.method !== 'POST') {
        strays++;
        continue;
      }
      const reply = { at: now, activity };
      const earlier = replies.get(target);
      if (earlier) earlier.push(reply);
      else replies.set(target, [reply]);
      waiting.get(target)?.(reply);
      waiting.delete(target);
    }
    return stopped;
  };
  // An hour: the watch ends with stop(), not with this timeout.
  const watching = channel.waitUntil(takeNew, 'the end of the benchmark', 3_600_000);

  return {
    replyTo(activityId, timeoutMs) {
      const first = replies.get(activityId)?.[0];
      if (first) return Promise.resolve(first);
      return new Promise<Reply | null>((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(activityId);
          resolve(null);
        }, timeoutMs);
        waiting.set(activityId, (reply) => {
          clearTimeout(timer);
          resolve(reply);
        });
      });
    },
    replyCount: (activityId) => replies.get(activityId)?.length ?? 0,
    strays: () => strays,
    async stop() {
      stopped = true;
      await watching;
    },
  };
}
