// Device lists too big to be real: a 10 MB CSV, and CSVs of a million empty lines (what Excel
// saves from a sheet whose rows were once used). Through the import service and through chat
// (`import` with the file attached in personal chat, or pasted), each is refused with a clear
// error before any row is read, and nothing is stored. How quickly is measured in bench/, not
// here; the refusals below are the ones made before parsing (size first, then a count of line
// breaks), which is what keeps them quick.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_DEVICE_CSV_BYTES, MAX_DEVICE_CSV_ROWS, maxLinesFor, parseDeviceCsv } from '../../../services/devices/csv-device-list.ts';
import type { DomainError } from '../../../services/shared/errors.ts';
import { cardOf, cardTexts } from '../../helpers/card-text.ts';
import { deliverPendingNotifications, domainSnapshot, rawPost } from '../../helpers/bad-input.ts';
import type { ReceivedActivity } from '../../helpers/fake-channel.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';

const adminId = '0f6c1d2e-eeee-4a4a-9b9b-000000000001';
const admin = { id: '29:csv-admin', name: 'Csv Admin', aadObjectId: adminId };
const adminChat = `a:personal-${adminId}`;
const tenantId = 'tenant-contoso';
const actor = { kind: 'user' as const, id: adminId, name: 'Csv Admin' };

/** A plausible device list of about `bytes` bytes: a header, then rows of distinct MACs with a long location. */
function deviceListOf(bytes: number): string {
  const rows = ['MAC address,Location'];
  let size = rows[0]!.length;
  for (let i = 0; size < bytes; i++) {
    const row = `${(0x020000000000 + i).toString(16).padStart(12, '0').toUpperCase().match(/../g)!.join('-')},Building ${i % 50} floor ${i % 7} ${'x'.repeat(60)}`;
    rows.push(row);
    size += row.length + 2;
  }
  return rows.join('\r\n');
}

const tenMegabytes = deviceListOf(10 * 1024 * 1024);
const millionEmptyLines = {
  'a million LF line breaks': '\n'.repeat(1_000_000),
  'a million CRLF line breaks': '\r\n'.repeat(1_000_000),
  'a header, then a million empty lines': `MAC address,Location\r\n${'\r\n'.repeat(1_000_000)}`,
  'a header, then a million rows of empty cells': `MAC address;Location;Model\n${';;\n'.repeat(1_000_000)}`,
};
const linesLimit = maxLinesFor(MAX_DEVICE_CSV_ROWS).toLocaleString('en-US');

let bot: TestBot;
let before: Awaited<ReturnType<typeof domainSnapshot>>;
let tenantsBefore: number;

beforeAll(async () => {
  bot = await startTestBot({ ADMIN_USER_IDS: adminId }, { scheduler: 'off' });
  // One device already there: a refusal must leave it, and add nothing.
  await bot.server.services.devices.registry.register(actor, tenantId, [{ mac: '00-04-F2-00-00-01', location: 'Lobby' }]);
  await deliverPendingNotifications(bot.server);
});
afterAll(async () => {
  await bot?.close();
});
beforeEach(async () => {
  before = await domainSnapshot(bot.server.store.db);
  tenantsBefore = await bot.server.store.db.tenant.count();
});

async function expectNothingStored(): Promise<void> {
  expect(await domainSnapshot(bot.server.store.db)).toEqual(before);
  expect(await bot.server.store.db.tenant.count()).toBe(tenantsBefore);
}

describe('through the import service', () => {
  const importCsv = (csv: string | Buffer) => bot.server.services.devices.registry.importCsv(actor, tenantId, csv).then(
    () => {
      throw new Error('the import was accepted');
    },
    (error: DomainError) => error,
  );

  it.each([
    ['text', () => tenMegabytes],
    ['bytes', () => Buffer.from(tenMegabytes)],
  ])('refuses a 10 MB CSV given as %s by its size, saying how to split it, and stores nothing', async (_as, csv) => {
    expect(Buffer.byteLength(tenMegabytes)).toBeGreaterThanOrEqual(10 * 1024 * 1024);
    const error = await importCsv(csv());
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(/^The file is 10 MB \([\d,]+ bytes\); the limit is 5 MB\. Split the device list into smaller files and upload each one\.$/);
    await expectNothingStored();
  });

  it.each(Object.entries(millionEmptyLines))('refuses %s by counting its lines, before reading a row, and stores nothing', async (_what, csv) => {
    expect(Buffer.byteLength(csv)).toBeLessThanOrEqual(MAX_DEVICE_CSV_BYTES); // under the size limit: the line count is what refuses it
    const error = await importCsv(csv);
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain(`The file has more than ${linesLimit} lines; a device list of at most 50,000 rows needs no more.`);
    expect(error.message).toContain('Remove the empty lines');
    await expectNothingStored();
  });

  it('lets through 50,000 rows with blank lines between them up to exactly the line limit, and refuses one line more', () => {
    const rows = Array.from({ length: MAX_DEVICE_CSV_ROWS }, (_, i) => `${(0x060000000000 + i).toString(16).padStart(12, '0').toUpperCase().match(/../g)!.join('-')},Hall`);
    const atLimit = `MAC,Location\n${rows.join('\n\n')}\n${'\n'.repeat(1_000)}`;
    expect(atLimit.split('\n')).toHaveLength(maxLinesFor(MAX_DEVICE_CSV_ROWS));
    expect(parseDeviceCsv(atLimit).rows).toHaveLength(MAX_DEVICE_CSV_ROWS);
    expect(() => parseDeviceCsv(`${atLimit}\n`)).toThrow(`The file has more than ${linesLimit} lines`);
  });
});

describe('through chat', () => {
  const isReplyTo = (id: unknown) => (activity: ReceivedActivity) => activity.targetActivityId === id;

  /** Sends "import" with the file attached in personal chat; returns what the reply card shows. */
  async function importAttached(name: string, content: string): Promise<string> {
    const attachment = bot.channel.attachFile(name, content);
    const activity = bot.channel.activity({ type: 'message', text: 'import', attachments: [attachment] }, { from: admin, conversationId: adminChat });
    const answer = await rawPost(bot.url, '/api/messages', { 'content-type': 'application/json' }, [JSON.stringify(activity)]);
    expect(answer.status).toBe(200);
    const [reply] = await bot.channel.waitFor(1, isReplyTo(activity.id), 30_000);
    return cardTexts(cardOf(reply!)).join('\n');
  }

  it('refuses an attached 10 MB CSV once 5 MB have arrived, saying to split it, and stores nothing', async () => {
    const shown = await importAttached('all-phones.csv', tenMegabytes);
    expect(shown).toContain('That did not work');
    expect(shown).toContain('all-phones.csv is larger than 5 MB. Split it into smaller files.');
    await expectNothingStored();
  });

  it.each(Object.entries(millionEmptyLines))('refuses an attached CSV of %s, saying to remove the empty lines, and stores nothing', async (_what, csv) => {
    const shown = await importAttached('phones.csv', csv);
    expect(shown).toContain('That did not work');
    expect(shown).toContain(`The file has more than ${linesLimit} lines`);
    await expectNothingStored();
  });

  it('refuses a million empty lines pasted after "import" at the door: the message is over the 1 MB body limit (413)', async () => {
    const activity = bot.channel.activity({ type: 'message', text: `import MAC address,Location\n${'\n'.repeat(1_000_000)}` }, { from: admin, conversationId: adminChat });
    const answer = await rawPost(bot.url, '/api/messages', { 'content-type': 'application/json' }, [JSON.stringify(activity)]);
    expect(answer.status).toBe(413);
    expect(answer.json).toMatchObject({ code: 'too_large' });
    await expectNothingStored();
  });
});
