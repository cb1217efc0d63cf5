// The three roles of a tenant. An admin may do everything; a technician receives hand-offs and
// reports on devices; a manager reads status and digests.
export const roles = ['admin', 'technician', 'manager'] as const;
export type Role = (typeof roles)[number];

/** Who may run a command or press a button: anyone, or users holding one of these roles (admins always may). */
export type Permission = 'anyone' | readonly Role[];

export function isAllowed(held: ReadonlySet<Role>, permission: Permission): boolean {
  if (permission === 'anyone' || held.has('admin')) return true;
  return permission.some((role) => held.has(role));
}

export function describePermission(permission: Permission): string {
  if (permission === 'anyone') return 'anyone';
  const names = ['admin', ...permission.filter((role) => role !== 'admin')];
  return names.length === 1 ? `the ${names[0]} role` : `one of the roles ${names.join(', ')}`;
}
