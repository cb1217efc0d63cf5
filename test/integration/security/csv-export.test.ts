// Issue 12, item 7: what a user typed into a location cannot become a formula when the export is
// opened in Excel (whatever its list separator), nor leave its cell or the message's code block.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';
import { admin, adminId, tenantId } from '../reporting/reporting-fixtures.ts';

const technician = { id: '29:tom', name: 'Tom Tech', aadObjectId: '0f6c1d2e-2222-4a4a-9b9b-000000000002' };
const formula = "Lobby;=cmd|' /C calc'!A0";
const fenceBreaker = 'Lobby\n```\n**[Sign in here](https://evil.example)**\n```\n';

let bot: TestBot;
beforeEach(async () => {
  bot = await startTestBot({ ADMIN_USER_IDS: adminId }, { clock: new ManualClock(new Date('2026-11-22T07:00:00Z')), outboxIntervalMs: 3_600_000 });
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

async function exportText(): Promise<string> {
  const conversationId = `a:personal-${technician.aadObjectId}`;
  await bot.channel.message('export devices', { from: technician, conversationId });
  const replies = await bot.channel.waitFor(1, (activity) => activity.conversationId === conversationId);
  return (replies.at(-1)?.body as { text?: string }).text ?? '';
}

describe('the device export', () => {
  it("writes the cell Lobby;=cmd|' /C calc'!A0 as quoted text, its formula start neutralised", async () => {
    const text = await exportText();
    expect(text).toContain(`"Lobby;'=cmd|' /C calc'!A0"`);
    expect(text).not.toMatch(/(^|[,;\t|])\s*=cmd/m);
  });

  it('keeps a location with line breaks and code fences inside its cell and the message inside one code block', async () => {
    const text = await exportText();
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
