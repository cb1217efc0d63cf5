// The tenant's and each location's time zone: the `timezone` command on the real server (valid
// and invalid zones, who may), and what uses them: the technicians' expiry warning says the
// site's local time, the device export names its zone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNotificationPlanner } from '../../../bot/notifications/plan.ts';
import type { DomainEvent } from '../../../services/notifications/domain-events.ts';
import { textsOf } from '../../unit/cards/card-checks.ts';
import { shownText, teamsCardOf } from '../../helpers/card-text.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';
import { admin, adminId, adminUser, channels, hourMs, issueCodes, setUpChannel, tenantId } from './reporting-fixtures.ts';

const now = new Date('2026-11-22T07:00:00Z');
const berlin = ['00-04-F2-00-03-01', '00-04-F2-00-03-02'];
const lobby = ['00-04-F2-00-01-01'];
const technician = { id: '29:tom', name: 'Tom Tech', aadObjectId: '0f6c1d2e-2222-4a4a-9b9b-000000000002' };

let bot: TestBot;

beforeEach(async () => {
  bot = await startTestBot({ ADMIN_USER_IDS: adminId, CODE_TTL_HOURS: '24' }, { clock: new ManualClock(now), outboxIntervalMs: 3_600_000 });
  await bot.server.services.devices.registry.register(admin, tenantId, [...berlin.map((mac) => ({ mac, location: 'Berlin HQ' })), ...lobby.map((mac) => ({ mac, location: 'Lobby' }))]);
});
afterEach(async () => {
  await bot.close();
});

async function say(text: string, from: { id: string; name: string; aadObjectId: string } = adminUser): Promise<string> {
  const conversationId = `a:personal-${from.aadObjectId}`;
  const before = bot.channel.received.filter((activity) => activity.conversationId === conversationId).length;
  await bot.channel.message(text, { from, conversationId });
  const replies = await bot.channel.waitFor(before + 1, (activity) => activity.conversationId === conversationId);
  return shownText(replies.at(-1));
}

const stored = async () => ({
  tenant: (await bot.server.store.db.tenant.findUnique({ where: { id: tenantId } }))?.timeZone ?? 'UTC',
  locations: await bot.server.store.db.locationTimeZone.findMany({ where: { tenantId }, select: { location: true, timeZone: true } }),
});

describe('the timezone command', () => {
  it("sets the tenant's zone (any case, stored as the IANA name) and shows it", async () => {
    expect(await say('timezone europe/berlin')).toContain("The organisation's time zone is now **Europe/Berlin** (was UTC)");
    expect((await stored()).tenant).toBe('Europe/Berlin');
    const shown = await say('timezone');
    expect(shown).toContain('Organisation');
    expect(shown).toContain('Europe/Berlin');
  });

  it("sets a location's zone, quoted (straight or curly quotes) or not, spelled as its devices are; `default` gives it back the tenant's", async () => {
    expect(await say('timezone location "berlin hq" Europe/Berlin')).toContain('**Berlin HQ** is now in **Europe/Berlin**');
    expect(await say('timezone location “Berlin HQ” America/New_York')).toContain('**Berlin HQ** is now in **America/New_York** (was Europe/Berlin)');
    expect(await say('timezone location Lobby Asia/Tokyo')).toContain('**Lobby** is now in **Asia/Tokyo**');
    expect((await stored()).locations).toEqual(expect.arrayContaining([{ location: 'Berlin HQ', timeZone: 'America/New_York' }, { location: 'Lobby', timeZone: 'Asia/Tokyo' }]));
    const shown = await say('timezone');
    expect(shown).toContain('Berlin HQ');
    expect(shown).toContain('America/New_York');
    expect(await say('timezone location Lobby default')).toContain("**Lobby** uses the organisation's time zone again (UTC); it was Asia/Tokyo");
    expect((await stored()).locations).toEqual([{ location: 'Berlin HQ', timeZone: 'America/New_York' }]);
  });

  it.each([
    ['a misspelt zone', 'timezone Europe/Berln', '"Europe/Berln" is not a time zone'],
    ['a UTC offset', 'timezone +01:00', '"+01:00" is not a time zone'],
    ['two words without "location"', 'timezone Central Europe', 'a time zone name has no spaces'],
    ["a location's misspelt zone", 'timezone location "Berlin HQ" Mars/Olympus', '"Mars/Olympus" is not a time zone'],
    ['a location without a zone', 'timezone location Lobby', 'say the location and its time zone'],
    ['a location no device is at', 'timezone location "Paris Office" Europe/Paris', 'No device is registered at "Paris Office". Locations in use: Berlin HQ · Lobby.'],
  ])('refuses %s with a clear error, and changes nothing', async (_case, text, error) => {
    const before = await stored();
    expect(await say(text)).toContain(error);
    expect(await stored()).toEqual(before);
  });

  it('is for admins: a technician is refused and nothing changes', async () => {
    await bot.server.services.roles.grant(admin, tenantId, { platform: 'teams', userId: technician.aadObjectId, name: technician.name }, 'technician');
    expect(await say('timezone Europe/Berlin', technician)).toContain('"timezone" needs the admin role');
    expect(await say('timezone', technician)).toContain('needs the admin role');
    expect((await stored()).tenant).toBe('UTC');
  });

  it("names the tenant's zone in the device export's header", async () => {
    await bot.server.services.roles.grant(admin, tenantId, { platform: 'teams', userId: technician.aadObjectId, name: technician.name }, 'technician');
    await say('timezone Europe/Berlin');
    const reply = await say('export devices', technician);
    const link = /\((http[^)\s]+\/exports\/[^)\s]+)\)/.exec(reply)?.[1] ?? '';
    const csv = await (await fetch(`${bot.url}${new URL(link).pathname}`)).text();
    expect(csv).toContain('"MAC","Location","Model","Firmware","State","Since (UTC)","Since (Europe/Berlin local)"');
  });
});

describe("the technicians' expiry warning", () => {
  const plan = (event: DomainEvent) => createNotificationPlanner(bot.server.services)(event);

  async function warningFor(macs: string[], location: string): Promise<string[]> {
    await setUpChannel(bot, 'technicians');
    const { batchId } = await issueCodes(bot.server.services, macs);
    const event: DomainEvent = { kind: 'codes.expiring', tenantId, batchId, location, leadMinutes: 240, expiresAt: new Date(now.getTime() + 4 * hourMs).toISOString(), macs, issuedBy: `user:${adminId}` };
    const deliveries = await plan(event);
    expect(deliveries.map((delivery) => delivery.conversation.conversationId)).toEqual([channels.technicians]);
    return textsOf(teamsCardOf(deliveries[0]?.message));
  }

  it("says the site's local time: the location's zone when set, not the tenant's", async () => {
    await bot.server.services.timeZones.setTenantZone(tenantId, 'Europe/London');
    await bot.server.services.timeZones.setLocationZone(tenantId, 'berlin hq', 'Europe/Berlin');
    expect(await warningFor(berlin, 'Berlin HQ')).toContain('2 codes at Berlin HQ expire at Sun 22 Nov, 12:00 CET (in 4 h). The devices have not been provisioned yet.');
  });

  it("says the tenant's zone for a location without one of its own", async () => {
    await bot.server.services.timeZones.setTenantZone(tenantId, 'Asia/Tokyo');
    await bot.server.services.timeZones.setLocationZone(tenantId, 'Berlin HQ', 'Europe/Berlin');
    expect(await warningFor(lobby, 'Lobby')).toContain('1 code at Lobby expires at Sun 22 Nov, 20:00 GMT+9 (in 4 h). The device has not been provisioned yet.');
  });
});
