// The three SIP Gateway regions a bulk sign-in is sent to, and how an account gets its region:
// its own Region column, else its location's region, else the tenant's default.

export const sipRegions = ['NOAM', 'EMEA', 'APAC'] as const;
export type SipRegion = (typeof sipRegions)[number];

/** "emea", " EMEA " → EMEA; anything else → null. */
export function parseRegion(text: string): SipRegion | null {
  const wanted = text.trim().toUpperCase();
  return (sipRegions as readonly string[]).includes(wanted) ? (wanted as SipRegion) : null;
}

export const regionChoices = sipRegions.join(', ');
