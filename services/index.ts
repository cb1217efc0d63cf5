// Wires the domain services over one store. Every entry point (chat, device API, jobs, CLI,
// tests) gets its services from here, so they all apply the same rules.
import type { Database } from '../prisma/store.ts';
import { createConversationService, type ConversationService } from './conversations/conversation-service.ts';
import type { Clock } from './shared/clock.ts';

export interface Services {
  clock: Clock;
  conversations: ConversationService;
}

export function createServices({ db, clock }: { db: Database; clock: Clock }): Services {
  return {
    clock,
    conversations: createConversationService(db),
  };
}
