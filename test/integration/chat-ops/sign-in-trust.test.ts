// Device-code phishing drills (issue 12, item 3), over HTTP with the real server and a fake
// channel: the admins' card shows what the bot recorded (who issued the code, when and from
// which address the device provisioned) apart from what the device reported, flags look-alike
// text; login codes that are not Microsoft's format or claim more than 15 minutes are refused
// with nothing stored; a signed-in report for another account is refused and the admins told.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceApiError, DeviceClient } from '../../../bot/device-simulator/device-client.ts';
import { cardOf, cardTexts, codesOnCard } from '../../helpers/card-text.ts';
import type { ReceivedActivity } from '../../helpers/fake-channel.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';

const adminId = '0f6c1d2e-3333-4a4a-9b9b-000000000011';
const admin = { id: '29:ada', name: 'Ada Admin', aadObjectId: adminId };
const adminsChannel = { conversationType: 'channel' as const, conversationId: '19:admins@thread.tacv2', teamId: '19:team@thread.tacv2' };
const adminChat = `a:personal-${adminId}`;
const mac = '00-04-F2-33-00-01';
const chosen = 'lobby-phone@contoso.com';

let bot: TestBot;
beforeEach(async () => {
  bot = await startTestBot({ ADMIN_USER_IDS: adminId }, { outboxIntervalMs: 50 });
  await bot.channel.message('setup admins', { ...adminsChannel, mentionBot: true, from: admin });
  await bot.channel.waitFor(1);
});
afterEach(async () => {
  await bot.close();
});

const posts = (conversationId: string) => (activity: ReceivedActivity) => activity.conversationId === conversationId && activity.method === 'POST';
const text = (activity: ReceivedActivity) => cardTexts(cardOf(activity)).join('\n') + (activity.body.text ?? '');

async function adminSays(message: string): Promise<ReceivedActivity> {
  const before = bot.channel.received.filter(posts(adminChat)).length;
  await bot.channel.message(message, { from: admin, conversationId: adminChat });
  return (await bot.channel.waitFor(before + 1, posts(adminChat), 10_000)).at(-1)!;
}

async function adminsCard(pattern: RegExp): Promise<ReceivedActivity> {
  const [card] = await bot.channel.waitFor(1, (activity) => posts(adminsChannel.conversationId)(activity) && pattern.test(text(activity)), 10_000);
  return card!;
}

/** A provisioned phone (model as given) that an admin asked to sign in as `chosen`, and the admins' card about it. */
async function phoneAskedToSignIn(model = 'Poly CCX 600'): Promise<DeviceClient & { awaitingCard: ReceivedActivity }> {
  await adminSays(`register ${mac} Lobby`);
  const codes = codesOnCard(cardOf(await adminSays(`codes ${mac}`)));
  const phone = new DeviceClient({ server: bot.url });
  await phone.provision({ mac, verificationCode: codes.get(mac) ?? '', model, firmwareVersion: '8.1.3' });
  // The card is drawn from the device as it is when delivered: wait for it before asking to sign in.
  const awaitingCard = await adminsCard(/provisioned, waiting for sign-in/i);
  await adminSays(`signin ${mac} ${chosen}`);
  return Object.assign(phone, { awaitingCard });
}

const refusal = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => (error instanceof DeviceApiError ? { status: error.status, code: error.code, message: error.message } : error));

async function storedSession() {
  return bot.server.store.db.signInSession.findFirst({ orderBy: { createdAt: 'desc' } });
}

describe("the admins' sign-in card", () => {
  it('shows who issued the code, when and from which address the device provisioned, and marks the model as reported', async () => {
    const card = (await phoneAskedToSignIn()).awaitingCard;
    const shown = text(card);
    expect(shown).toMatch(/Code issued by\nAda Admin, /);
    expect(shown).toMatch(/Provisioned at\n\S/);
    expect(shown).toMatch(/Provisioned from\n127\.0\.0\.1/);
    expect(shown).toContain('Reported by the device (not checked)\nModel\nPoly CCX 600');
    expect(shown).not.toContain('looks suspicious');
  });

  it('flags a model name that mixes Latin and Cyrillic letters', async () => {
    const card = (await phoneAskedToSignIn('Pоly CCX 600')).awaitingCard; // a Cyrillic "о"
    expect(text(card)).toContain('Model looks suspicious: it mixes scripts (Latin and Cyrillic)');
  });

  it("the login code's card shows the bot's record of the device beside the device's code", async () => {
    const phone = await phoneAskedToSignIn();
    await phone.reportLoginCode('EV9PGNQN8', 900);
    const card = await bot.channel.waitFor(1, (activity) => activity.conversationId === adminsChannel.conversationId && /EV9PGNQN8/.test(text(activity)), 10_000);
    const shown = text(card.at(-1)!);
    expect(shown).toContain('Login code, as reported by the device');
    expect(shown).toMatch(/Provisioned from\n127\.0\.0\.1/);
  });
});

describe('login codes the device reports', () => {
  it('a code claiming an hour of validity is refused with 400 and nothing is stored', async () => {
    const phone = await phoneAskedToSignIn();
    expect(await refusal(phone.reportLoginCode('EV9PGNQN8', 3600))).toMatchObject({ status: 400, code: 'invalid_input', message: expect.stringMatching(/at most 15 minutes/) });
    expect(await storedSession()).toMatchObject({ status: 'requested', loginCode: null, loginCodeExpiresAt: null });
    expect((await phone.state()).state).toBe('awaiting_sign_in');
  });

  it.each(['EV9PGNQN', 'EV9PGNQN8X', 'EV9P-GNQN', 'ЕV9PGNQN8', '123 45678'])('a malformed code (%s) is refused with 400 and nothing is stored', async (code) => {
    const phone = await phoneAskedToSignIn();
    expect(await refusal(phone.reportLoginCode(code, 900))).toMatchObject({ status: 400, code: 'invalid_input', message: expect.stringMatching(/9 letters and digits/) });
    expect(await storedSession()).toMatchObject({ status: 'requested', loginCode: null });
  });
});

describe('a signed-in report', () => {
  it('for another account than the admin chose is refused with 409, changes nothing, and the admins are told', async () => {
    const phone = await phoneAskedToSignIn();
    await phone.reportLoginCode('EV9PGNQN8', 900);
    expect(await refusal(phone.reportSignedIn('attacker@fabrikam.com'))).toMatchObject({ status: 409, code: 'account_mismatch' });
    expect((await phone.state()).state).toBe('signing_in');
    expect((await bot.server.store.db.device.findFirst({ where: { mac } }))?.signedInAccount).toBeNull();
    expect(await storedSession()).toMatchObject({ status: 'code_reported', account: chosen });
    const warning = await adminsCard(/Sign-in refused: another account/);
    expect(text(warning)).toContain('attacker@fabrikam.com');
    // The chosen account still signs in (compared without regard to case).
    expect((await phone.reportSignedIn('Lobby-Phone@contoso.com')).state).toBe('signed_in');
  });
});
