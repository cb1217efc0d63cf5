import { actorOf as principalActor } from '../../services/auth/principal.ts';
import type { Actor } from '../../services/shared/actor.ts';

/** The person behind a command or button, as the audit trail names them. */
export function actorOf(context: { principal: Parameters<typeof principalActor>[0] }): Actor {
  return principalActor(context.principal);
}
