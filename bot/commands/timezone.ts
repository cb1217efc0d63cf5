// `timezone`: the zones that times which must be in one zone are written in. The tenant's zone
// (exports, the digest, every site without its own) and each site's zone (the technicians'
// expiry warning says the site's local time). Cards show other times in each reader's own zone.
import { z } from 'zod';
import { canonicalTimeZone } from '../../services/time-zones.ts';
import type { TimeZoneSettings } from '../../services/time-zones.ts';
import { noticeReply, view, type Reply } from '../views/reply.ts';
import { defineCommand } from './command-spec.ts';

export type TimeZoneArgs =
  | { kind: 'show' }
  | { kind: 'tenant'; timeZone: string }
  /** timeZone null: the location follows the tenant's zone again. */
  | { kind: 'location'; location: string; timeZone: string | null };

const example = 'e.g. timezone Europe/Berlin, or timezone location "Berlin HQ" Europe/Berlin';
// Words that give a location back to the tenant's zone.
const clearWords = new Set(['default', 'tenant', 'none', 'clear']);

/** "Berlin HQ" Europe/Berlin, “Berlin HQ” Europe/Berlin (Teams curls quotes), or Lobby Europe/Berlin. */
function splitLocation(text: string): { location: string; zone: string } | null {
  const quoted = /^["“”'‘’]([^"“”]+)["“”'‘’]\s+(\S+)$/.exec(text);
  if (quoted) return { location: quoted[1]!.trim(), zone: quoted[2]! };
  const words = text.split(/\s+/);
  if (words.length < 2) return null;
  return { location: words.slice(0, -1).join(' '), zone: words.at(-1)! };
}

export const timeZoneArgs = z.string().transform((raw, ctx): TimeZoneArgs => {
  const text = raw.trim();
  if (text === '') return { kind: 'show' };
  const notAZone = (zone: string) => {
    ctx.addIssue({ code: 'custom', message: `"${zone}" is not a time zone: write an IANA name such as Europe/Berlin, America/New_York or UTC (${example})` });
    return z.NEVER;
  };
  const location = /^location\s+(.*)$/is.exec(text);
  if (location) {
    const parts = splitLocation(location[1]!.trim());
    if (!parts || parts.location === '') {
      ctx.addIssue({ code: 'custom', message: `say the location and its time zone (${example})` });
      return z.NEVER;
    }
    if (clearWords.has(parts.zone.toLowerCase())) return { kind: 'location', location: parts.location, timeZone: null };
    const zone = canonicalTimeZone(parts.zone);
    return zone ? { kind: 'location', location: parts.location, timeZone: zone } : notAZone(parts.zone);
  }
  if (/\s/.test(text)) {
    ctx.addIssue({ code: 'custom', message: `a time zone name has no spaces; for a location's zone write "location" first (${example})` });
    return z.NEVER;
  }
  const zone = canonicalTimeZone(text);
  return zone ? { kind: 'tenant', timeZone: zone } : notAZone(text);
});

function settingsReply(settings: TimeZoneSettings): Reply {
  const facts = [
    { title: 'Organisation', value: settings.tenant },
    ...settings.locations.map((site) => ({ title: site.location, value: site.timeZone })),
  ];
  const sites = settings.locations.length;
  return {
    view: view('blocks', {
      title: 'Time zones',
      summary: `Time zone: ${settings.tenant}${sites > 0 ? `; ${sites} ${sites === 1 ? 'location has' : 'locations have'} its own` : ''}.`,
      blocks: [
        { kind: 'facts', facts },
        {
          kind: 'text',
          subtle: true,
          text:
            'Cards show times in each reader\'s own time zone. The organisation\'s zone is used where one zone must be chosen (exports, the digest), ' +
            "a location's zone for what is said in the site's local time (expiring codes), and the organisation's for every location without one. " +
            'Change them with `timezone Europe/Berlin` or `timezone location "Berlin HQ" Europe/Berlin` (`… default` gives a location the organisation\'s zone again).',
        },
      ],
    }),
  };
}

export const timeZoneCommand = defineCommand({
  name: 'timezone',
  aliases: ['timezones', 'tz'],
  summary: "Show or set the organisation's time zone and each location's (exports, the digest, expiry warnings).",
  usage: 'timezone [ZONE | location "NAME" ZONE]',
  operation: 'setTimeZone',
  args: timeZoneArgs,
  async run({ services, tenantId }, args: TimeZoneArgs) {
    const zones = services.timeZones;
    switch (args.kind) {
      case 'show':
        return settingsReply(await zones.settings(tenantId));
      case 'tenant': {
        const { timeZone, previous } = await zones.setTenantZone(tenantId, args.timeZone);
        const was = previous === timeZone ? ' (unchanged)' : ` (was ${previous})`;
        return noticeReply('Time zone set', `The organisation's time zone is now **${timeZone}**${was}. Exports, the digest and locations without a zone of their own use it.`, 'good');
      }
      case 'location': {
        const { location, timeZone, previous } = await zones.setLocationZone(tenantId, args.location, args.timeZone);
        if (timeZone === null) {
          const tenant = (await zones.settings(tenantId)).tenant;
          return noticeReply('Time zone set', `**${location}** uses the organisation's time zone again (${tenant})${previous ? `; it was ${previous}` : ''}.`, 'good');
        }
        const was = previous === null ? '' : previous === timeZone ? ' (unchanged)' : ` (was ${previous})`;
        return noticeReply('Time zone set', `**${location}** is now in **${timeZone}**${was}. Warnings about its expiring codes say its local time.`, 'good');
      }
    }
  },
});
