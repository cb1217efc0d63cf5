// Wires the domain services over one store. Every entry point (chat, device API, jobs, CLI,
// tests) gets its services from here, so they all apply the same rules.
import type { Database } from '../prisma/store.ts';
import { createConversationService, type ConversationService } from './conversations/conversation-service.ts';
import { createRolesService, type RolesService } from './auth/roles-service.ts';
import { createDeviceServices, type DeviceServices } from './devices/index.ts';
import type { Clock } from './shared/clock.ts';
import { createKeyedHasher } from './shared/keyed-hash.ts';

export interface ServiceSettings {
  /** How long a verification code is valid. */
  codeTtlMs: number;
  /** The server secret that codes and device tokens are hashed with (keyed hash). */
  codeHashSecret: string;
  /** Entra object ids of the bootstrap admins (ADMIN_USER_IDS). */
  bootstrapAdmins: readonly string[];
}

export interface Services {
  clock: Clock;
  conversations: ConversationService;
  devices: DeviceServices;
  roles: RolesService;
}

export function createServices({ db, clock, settings }: { db: Database; clock: Clock; settings: ServiceSettings }): Services {
  return {
    clock,
    conversations: createConversationService(db),
    devices: createDeviceServices(db, clock, createKeyedHasher(settings.codeHashSecret), { codeTtlMs: settings.codeTtlMs }),
    roles: createRolesService(db, clock, settings.bootstrapAdmins),
  };
}
