import type { Actor } from '../../services/shared/actor.ts';
import { DomainError } from '../../services/shared/errors.ts';

/** The user behind a command, as the audit trail names them. */
export function actorOf(context: { user: { aadObjectId: string | null; name: string | null } }): Actor {
  if (!context.user.aadObjectId) {
    throw new DomainError('forbidden', 'This channel did not say who you are (no Entra object id), so I cannot record who did this. Use Microsoft Teams.');
  }
  return { kind: 'user', id: context.user.aadObjectId, name: context.user.name };
}
