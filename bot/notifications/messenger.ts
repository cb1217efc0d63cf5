// What the bot needs from the chat channel to reach people without being asked: post a new
// message to a stored conversation, and replace a message it posted earlier. The Teams
// implementation lives in bot/teams/; tests and other channels can provide their own.
import type { View } from '../views/reply.ts';
import type { StoredConversation } from '../../services/conversations/conversation-repository.ts';

/** What a notification shows: a view (each platform's messenger renders it), or text alone. */
export type OutgoingMessage = { text: string; view?: undefined } | { view: View; text?: string };

export interface ChatMessenger {
  post(conversation: StoredConversation, message: OutgoingMessage): Promise<{ activityId: string }>;
  update(conversation: StoredConversation, activityId: string, message: OutgoingMessage): Promise<void>;
}

/** The channel refused or failed: `retryAfterMs` when it said when to come back (429 Retry-After). */
export class ChannelError extends Error {
  override name = 'ChannelError';
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
  }

  /** 4xx other than 408/429 will not get better by retrying. */
  get permanent(): boolean {
    return this.status !== null && this.status >= 400 && this.status < 500 && this.status !== 408 && this.status !== 429;
  }
}
