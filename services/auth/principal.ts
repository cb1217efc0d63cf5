// Who is acting, whatever door they came through. Teams: the Entra tenant id and the user's
// Entra object id. Slack (later): its workspace mapped to a tenant, and its user id. Roles
// are granted to principals; the audit trail names them as actors.
import type { Actor } from '../shared/actor.ts';
import { DomainError } from '../shared/errors.ts';

export const platforms = ['teams', 'slack'] as const;
export type Platform = (typeof platforms)[number];

export interface Principal {
  platform: Platform;
  tenantId: string;
  /** The platform's stable user id (Teams: Entra object id, lower case); null when the channel did not say. */
  userId: string | null;
  displayName: string | null;
}

/**
 * The principal as the audit trail's actor. Teams users keep the plain "user:<object id>"
 * they always had; other platforms' ids are prefixed, so two platforms' ids never collide.
 */
export function actorOf(principal: Principal): Actor {
  if (!principal.userId) {
    throw new DomainError('forbidden', 'This channel did not say who you are, so I cannot record who did this.');
  }
  const id = principal.platform === 'teams' ? principal.userId : `${principal.platform}:${principal.userId}`;
  return { kind: 'user', id, name: principal.displayName };
}
