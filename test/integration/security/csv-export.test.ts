// Issue 12, item 7: what a user typed into a location cannot become a formula when the export is
// opened in Excel (whatever its list separator), nor leave its cell or the message's code block;
// and exports are files behind a signed 15-minute link for one tenant.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportCommand } from '../../../bot/commands/export.ts';
import { runCommand } from '../../../bot/commands/router.ts';
import { commands } from '../../../bot/commands/index.ts';
import { ManualClock, minutes } from '../../helpers/manual-clock.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';
import { admin, adminId, tenantId } from '../reporting/reporting-fixtures.ts';

const technician = { id: '29:tom', name: 'Tom Tech', aadObjectId: '0f6c1d2e-2222-4a4a-9b9b-000000000002' };
const formula = "Lobby;=cmd|' /C calc'!A0";
const fenceBreaker = 'Lobby\n```\n**[Sign in here](https://evil.example)**\n```\n';

let bot: TestBot;
let clock: ManualClock;
beforeEach(async () => {
  clock = new ManualClock(new Date('2026-11-22T07:00:00Z'));
  bot = await startTestBot({ ADMIN_USER_IDS: adminId }, { clock, outboxIntervalMs: 3_600_000 });
  await bot.server.services.devices.registry.register(admin, tenantId, [
    { mac: '00-04-F2-00-01-01', location: 'Lobby' },
    { mac: '00-04-F2-00-01-02', location: 'Lobby' },
  ]);
  // Straight into the store: whichever door lets such a location in, the export must hold it.
  await bot.server.store.db.device.updateMany({ where: { tenantId, mac: '00-04-F2-00-01-01' }, data: { location: formula } });
  await bot.server.store.db.device.updateMany({ where: { tenantId, mac: '00-04-F2-00-01-02' }, data: { location: fenceBreaker } });
  await bot.server.services.roles.grant(admin, tenantId, { platform: 'teams', userId: technician.aadObjectId, name: technician.name }, 'technician');
});
afterEach(async () => {
  await bot.close();
});

async function exportReply(what = 'devices'): Promise<string> {
  const conversationId = `a:personal-${technician.aadObjectId}`;
  const before = bot.channel.received.filter((activity) => activity.conversationId === conversationId).length;
  await bot.channel.message(`export ${what}`, { from: technician, conversationId });
  const replies = await bot.channel.waitFor(before + 1, (activity) => activity.conversationId === conversationId);
  return (replies.at(-1)?.body as { text?: string }).text ?? '';
}

/** The export link's path (PUBLIC_BASE_URL names port 0 in tests: the path is fetched from the bot). */
function linkPath(reply: string): string {
  const url = /\]\((http[^)\s]+)\)/.exec(reply)?.[1];
  expect(url, reply).toMatch(/\/exports\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  return new URL(url!).pathname;
}

/** The text a door without files gets: the CSV in a code block. */
async function exportAsText(): Promise<string> {
  const reply = await runCommand(exportCommand, 'devices', {
    tenantId,
    principal: { platform: 'teams', tenantId, userId: technician.aadObjectId, displayName: technician.name },
    roles: new Set(['technician']),
    conversation: { channelId: 'msteams', id: 'a:x', type: 'personal' },
    mentions: [],
    files: [],
    services: bot.server.services,
    commands,
  });
  return reply.text ?? '';
}

describe('the device export as a file behind a link', () => {
  it('answers with a link; the file is an attachment, never cached, and holds the cell Lobby;=cmd|\' /C calc\'!A0 as quoted text', async () => {
    const reply = await exportReply();
    expect(reply).toContain('Devices: 2 rows. Download [devices-2026-11-22.csv]');
    expect(reply).not.toContain('evil.example');
    const response = await fetch(`${bot.url}${linkPath(reply)}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="devices-2026-11-22.csv"');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const csv = await response.text();
    expect(csv).toContain(`"Lobby;'=cmd|' /C calc'!A0"`);
    expect(csv).not.toMatch(/(^|[,;\t|])\s*=cmd/m);
    expect(csv.split('\r\n').filter((line) => line !== '')).toHaveLength(3);
  });

  it('the link lapses after 15 minutes (410), and a tampered one is unknown (404)', async () => {
    const path = linkPath(await exportReply());
    clock.advance(minutes(14));
    expect((await fetch(`${bot.url}${path}`)).status).toBe(200);
    const [payload, signature] = path.slice('/exports/'.length).split('.');
    const otherTenant = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), t: 'tenant-other' })).toString('base64url');
    expect((await fetch(`${bot.url}/exports/${otherTenant}.${signature}`)).status).toBe(404);
    expect((await fetch(`${bot.url}/exports/nothing`)).status).toBe(404);
    clock.advance(minutes(1));
    const expired = await fetch(`${bot.url}${path}`);
    expect(expired.status).toBe(410);
    expect(await expired.json()).toMatchObject({ code: 'expired', message: expect.stringContaining('Run "export" again') });
  });
});

describe('the device export as text (a door that serves no files)', () => {
  it("writes the cell Lobby;=cmd|' /C calc'!A0 as quoted text, its formula start neutralised", async () => {
    const text = await exportAsText();
    expect(text).toContain(`"Lobby;'=cmd|' /C calc'!A0"`);
    expect(text).not.toMatch(/(^|[,;\t|])\s*=cmd/m);
  });

  it('keeps a location with line breaks and code fences inside its cell and the message inside one code block', async () => {
    const text = await exportAsText();
    const lines = text.split(/\r?\n/);
    // Exactly the opening and the closing fence start a line; every CSV line starts with a quote.
    expect(lines.filter((line) => line.startsWith('```'))).toEqual(['```', '```']);
    const inside = lines.slice(lines.indexOf('```') + 1, lines.lastIndexOf('```')).filter((line) => line !== '');
    expect(inside).toHaveLength(3);
    expect(inside.every((line) => line.startsWith('"'))).toBe(true);
    expect(inside.find((line) => line.includes('evil.example'))).toContain('"Lobby ``` **[Sign in here](https://evil.example)** ``` "');
    expect(lines.at(-1)).toBe('```');
  });
});
