// Choices forms offer, read from the store when a form opens.
import type { CommandContext } from './command-spec.ts';

/** The tenant's locations in use, for a form's `location` field. */
export async function locationChoices({ services, tenantId }: CommandContext): Promise<Partial<Record<string, { value: string; label: string }[]>>> {
  const locations = await services.devices.queries.locations(tenantId);
  return locations.length > 0 ? { location: locations.map((name) => ({ value: name, label: name })) } : {};
}
