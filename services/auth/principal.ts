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

/** Who a role or a personal chat belongs to: a user of one platform. */
export type PrincipalId = Pick<Principal, 'platform'> & { userId: string };

/**
 * A user id as it is stored and compared. Teams ids are Entra object ids, GUIDs that Teams
 * sends in lower case but people may type in any case; Slack ids are case-sensitive strings
 * (upper case by convention) that a Slack mention must quote exactly, so they are kept.
 */
export function canonicalUserId(platform: Platform, userId: string): string {
  const trimmed = userId.trim();
  return platform === 'teams' ? trimmed.toLowerCase() : trimmed;
}

/**
 * The principal an actor label names ("user:<object id>" for Teams, "user:<platform>:<id>"
 * for the others, as actorOf writes them); null for labels of devices, jobs, the system.
 */
export function principalOfActorLabel(label: string): PrincipalId | null {
  if (!label.startsWith('user:')) return null;
  const rest = label.slice('user:'.length);
  const colon = rest.indexOf(':');
  const prefix = colon > 0 ? rest.slice(0, colon) : '';
  const platform = (platforms as readonly string[]).find((name) => name === prefix && name !== 'teams') as Platform | undefined;
  const userId = platform ? rest.slice(colon + 1) : rest;
  if (userId === '') return null;
  return { platform: platform ?? 'teams', userId };
}
