// With an app id, /api/messages takes only requests the channel signed: botbuilder checks
// the token against signing keys published by an issuer we play on loopback (the bot reads
// them through BotOpenIdMetadata), so forged tokens are refused for the right reason, and a
// genuine one passes. Keys that cannot be fetched are a clear 503, never a 500 or a crash.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationConstants } from 'botframework-connector';
import { keyFetchTimeoutMs, publicCloudEndpoints } from '../../../bot/teams/channel-auth.ts';
import { noteSecret } from '../../helpers/leak-watch.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';
import { ChannelIssuer, channelClaims, newSigningKey, signToken, unsignedToken, type SigningKey } from './channel-issuer.ts';

const appId = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const appPassword = `app-password-${randomBytes(12).toString('hex')}`;
noteSecret('MicrosoftAppPassword', appPassword);

function authEnv(metadataUrl: string): Record<string, string> {
  return { MicrosoftAppId: appId, MicrosoftAppPassword: appPassword, BotOpenIdMetadata: metadataUrl };
}

/** A card button press: answered in the HTTP response, so an accepted request needs no outbound token. */
async function pressWith(bot: TestBot, authorization: string | null) {
  const activity = bot.channel.activity({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'device.showStatus', data: { mac: '00-04-F2-81-24-B3' } } } });
  return bot.channel.post(activity, authorization === null ? {} : { authorization });
}

async function noTurnRan(bot: TestBot): Promise<void> {
  expect(await bot.server.store.db.conversationReference.count()).toBe(0);
  expect(bot.channel.received).toHaveLength(0);
  expect(bot.logs().some((line) => line.msg === 'turn failed')).toBe(false);
}

describe('botbuilder endpoints', () => {
  it("the public cloud's endpoints given with BotOpenIdMetadata are botbuilder's own defaults", () => {
    expect(publicCloudEndpoints).toMatchObject({
      ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
      ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
      ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
      OAuthUrl: AuthenticationConstants.OAuthUrl,
      ToBotFromChannelOpenIdMetadataUrl: AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl,
      ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    });
  });
});

describe('with an app id and the channel issuer reachable', () => {
  let issuer: ChannelIssuer;
  let published: SigningKey;
  let webchatOnly: SigningKey;
  let unpublished: SigningKey;
  let bot: TestBot;

  beforeAll(async () => {
    published = newSigningKey(['msteams']);
    webchatOnly = newSigningKey(['webchat']);
    unpublished = newSigningKey(['msteams']);
    issuer = await ChannelIssuer.start([published, webchatOnly]);
  });
  afterAll(async () => {
    await issuer.close();
  });
  afterEach(async () => {
    await bot?.close();
  });

  const start = async () => {
    bot = await startTestBot(authEnv(issuer.metadataUrl));
    return bot;
  };
  const claims = (overrides: Record<string, unknown> = {}) => channelClaims(appId, bot.channel.serviceUrl, overrides);
  const minutesFromNow = (minutes: number) => Math.floor(Date.now() / 1000) + minutes * 60;

  it('a request without a token, or with one that is not a JWT, gets 401 and runs no turn', async () => {
    await start();
    for (const authorization of [null, '', 'Bearer', 'Bearer not-a-token', 'Basic dXNlcjpwYXNz']) {
      const answer = await pressWith(bot, authorization);
      expect(answer.status, `authorization ${JSON.stringify(authorization)}`).toBe(401);
      expect(answer.body).toEqual({ code: 'unauthorized', message: expect.stringContaining('valid Bot Framework token') });
    }
    await noTurnRan(bot);
  });

  it.each([
    ['signed by a key the issuer does not publish', () => signToken(claims(), unpublished)],
    ["naming a published key but signed with another one (the old 500)", () => signToken(claims(), unpublished, { kid: published.kid })],
    ['unsigned ("alg": "none") naming a published key', () => unsignedToken(claims(), published.kid)],
    ['signed with a published key that is endorsed for another channel only', () => signToken(claims(), webchatOnly)],
    ['for another bot (audience)', () => signToken(claims({ aud: '9b2f0000-0000-4000-8000-000000000099' }), published)],
    ['from another issuer', () => signToken(claims({ iss: 'https://login.example.com' }), published)],
    ['expired (beyond the 5-minute clock tolerance)', () => signToken(claims({ exp: minutesFromNow(-10), nbf: minutesFromNow(-70) }), published)],
    ['not valid yet', () => signToken(claims({ nbf: minutesFromNow(10) }), published)],
    ['for another channel service (serviceurl claim)', () => signToken(claims({ serviceurl: 'https://smba.trafficmanager.net/emea/' }), published)],
  ])('a token %s gets 401 and runs no turn', async (_what, token) => {
    await start();
    const answer = await pressWith(bot, `Bearer ${token()}`);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ code: 'unauthorized', message: expect.any(String) });
    await noTurnRan(bot);
    // The refusal is one structured line with botbuilder's reason, and no token in it.
    const refusal = bot.logs().find((line) => line.msg === 'channel request refused: not authenticated');
    expect(refusal).toMatchObject({ reason: expect.any(String), tokenGiven: true, requestId: expect.any(String) });
    expect(issuer.requests).toBeGreaterThan(0);
  });

  it("botbuilder's console lines about a rejected token go to the bot's log instead", async () => {
    await start();
    const expired = signToken(claims({ exp: minutesFromNow(-10), nbf: minutesFromNow(-70) }), published);
    expect((await pressWith(bot, `Bearer ${expired}`)).status).toBe(401);
    const detail = bot.logs().find((line) => line.msg === 'bot framework token check');
    expect(detail).toMatchObject({ level: 20, detail: expect.stringContaining('jwt expired'), requestId: expect.any(String) });
  });

  it('a token the channel would send, signed with a published key, is accepted: the turn runs and answers', async () => {
    await start();
    const answer = await pressWith(bot, `Bearer ${signToken(claims(), published)}`);
    // The bot itself answers (its verb is unknown: a refusal beside the card, 400), not the authentication.
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'unknown_button' } });
    expect(await bot.server.store.db.conversationReference.count()).toBe(1);
    expect(bot.logs().some((line) => line.msg === 'channel request refused: not authenticated')).toBe(false);
  });
});

describe('with an app id and the signing keys out of reach', () => {
  const bots: TestBot[] = [];
  const issuers: ChannelIssuer[] = [];
  afterEach(async () => {
    for (const bot of bots.splice(0)) await bot.close();
    for (const issuer of issuers.splice(0)) await issuer.close();
  });

  async function botWithIssuer(mode: 'failing' | 'silent' | 'closed') {
    const key = newSigningKey();
    const issuer = await ChannelIssuer.start([key]);
    issuers.push(issuer);
    const metadataUrl = issuer.metadataUrl;
    if (mode === 'closed') await issuer.close();
    else issuer.mode = mode;
    const bot = await startTestBot(authEnv(metadataUrl));
    bots.push(bot);
    const token = signToken(channelClaims(appId, bot.channel.serviceUrl), key);
    return { bot, issuer, token };
  }

  async function expectUnavailable(bot: TestBot, answer: { status: number; body: unknown }) {
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({ code: 'authentication_unavailable', message: expect.stringContaining('retry') });
    const logged = bot.logs().find((line) => line.msg?.toString().startsWith('could not fetch the Bot Framework signing keys'));
    expect(logged).toMatchObject({ level: 50, reason: expect.any(String), requestId: expect.any(String) });
    await noTurnRan(bot);
  }

  it('when the metadata answers 500, a signed request gets 503 with Retry-After and a log line; once it is back, the same token passes', async () => {
    const { bot, issuer, token } = await botWithIssuer('failing');
    const activity = bot.channel.activity({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'device.showStatus', data: { mac: '00-04-F2-81-24-B3' } } } });
    const response = await fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(activity) });
    expect(response.headers.get('retry-after')).toBe('30');
    await expectUnavailable(bot, { status: response.status, body: await response.json() });

    // No restart: the next request fetches the keys again.
    issuer.mode = 'ok';
    // Past authentication: the bot answers (an unknown verb, refused with 400).
    expect((await pressWith(bot, `Bearer ${token}`)).status).toBe(400);
  });

  it('when nothing listens where the metadata should be, a signed request gets 503 and a log line', async () => {
    const { bot, token } = await botWithIssuer('closed');
    await expectUnavailable(bot, await pressWith(bot, `Bearer ${token}`));
  });

  it(`when the metadata never answers, a signed request gets 503 after ${keyFetchTimeoutMs / 1000} s instead of hanging`, async () => {
    const { bot, token } = await botWithIssuer('silent');
    const started = Date.now();
    await expectUnavailable(bot, await pressWith(bot, `Bearer ${token}`));
    expect(Date.now() - started).toBeGreaterThanOrEqual(keyFetchTimeoutMs - 100);
  }, 40_000);

  it('without BotOpenIdMetadata, a well-formed forged token is refused (401 where Microsoft publishes its keys, 503 where it cannot be reached), never a 500', async () => {
    const bot = await startTestBot({ MicrosoftAppId: appId, MicrosoftAppPassword: appPassword });
    bots.push(bot);
    const answer = await pressWith(bot, `Bearer ${signToken(channelClaims(appId, bot.channel.serviceUrl), newSigningKey())}`);
    expect([401, 503]).toContain(answer.status);
    await noTurnRan(bot);
  }, 40_000);
});
