// Who caused a change, as the audit trail records it.
export type Actor =
  | { kind: 'user'; id: string; name?: string | null }
  | { kind: 'device'; mac: string }
  | { kind: 'job'; name: string }
  | { kind: 'system' };

export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case 'user':
      return `user:${actor.id}`;
    case 'device':
      return `device:${actor.mac}`;
    case 'job':
      return `job:${actor.name}`;
    case 'system':
      return 'system';
  }
}
