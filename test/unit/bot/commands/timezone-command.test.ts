import { describe, expect, it } from 'vitest';
import { timeZoneArgs } from '../../../../bot/commands/timezone.ts';
import { canonicalTimeZone } from '../../../../services/time-zones.ts';

describe('timezone arguments', () => {
  it.each([
    ['nothing: show the settings', '', { kind: 'show' }],
    ["an IANA name: the tenant's zone", 'Europe/Berlin', { kind: 'tenant', timeZone: 'Europe/Berlin' }],
    ['a name in any case, spelled as IANA does', 'america/new_york', { kind: 'tenant', timeZone: 'America/New_York' }],
    ['UTC', 'utc', { kind: 'tenant', timeZone: 'UTC' }],
    ['a quoted location and its zone', 'location "Berlin HQ" Europe/Berlin', { kind: 'location', location: 'Berlin HQ', timeZone: 'Europe/Berlin' }],
    ['curly quotes, as Teams sends them', 'location “Berlin HQ” Europe/Berlin', { kind: 'location', location: 'Berlin HQ', timeZone: 'Europe/Berlin' }],
    ['an unquoted location: the last word is the zone', 'Location Building 4 Lobby Asia/Tokyo', { kind: 'location', location: 'Building 4 Lobby', timeZone: 'Asia/Tokyo' }],
    ["`default`: the location follows the tenant's zone", 'location Lobby default', { kind: 'location', location: 'Lobby', timeZone: null }],
  ])('%s', (_case, text, expected) => {
    expect(timeZoneArgs.parse(text)).toEqual(expected);
  });

  it.each([
    ['a misspelt zone', 'Europe/Berln', '"Europe/Berln" is not a time zone'],
    ['an offset', '+02:00', '"+02:00" is not a time zone'],
    ['words without "location"', 'Berlin HQ Europe/Berlin', 'has no spaces'],
    ['a location without its zone', 'location Lobby', 'say the location and its time zone'],
    ["a location's bad zone", 'location "Berlin HQ" Berlin', '"Berlin" is not a time zone'],
  ])('refuses %s', (_case, text, message) => {
    const result = timeZoneArgs.safeParse(text);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain(message);
  });

  it('knows IANA names only', () => {
    expect(canonicalTimeZone('Europe/Paris')).toBe('Europe/Paris');
    expect(canonicalTimeZone('')).toBeNull();
    expect(canonicalTimeZone('-05:00')).toBeNull();
    expect(canonicalTimeZone('Not/AZone')).toBeNull();
  });
});
