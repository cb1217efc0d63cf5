// Request bodies the real server must refuse, on the chat endpoint and on the device API:
// over the 1 MB limit (with a Content-Length, and chunked without one), compressed, not JSON,
// malformed JSON, JSON that is not an activity. Every refusal is a 4xx in the API's error
// shape ({ code, message }), nothing is stored, and the server answers normally afterwards.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxRequestBodyBytes } from '../../../bot/request-body-guard.ts';
import { domainSnapshot, rawPost, repeatTo } from '../../helpers/bad-input.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';

const adminId = '0f6c1d2e-bbbb-4a4a-9b9b-000000000001';
const admin = { id: '29:body-admin', name: 'Body Admin', aadObjectId: adminId };

let bot: TestBot;
let before: Awaited<ReturnType<typeof domainSnapshot>>;

beforeAll(async () => {
  // No scheduled jobs: their own notifications (the daily digest) would change the outbox.
  bot = await startTestBot({ ADMIN_USER_IDS: adminId }, { scheduler: 'off' });
  await bot.server.services.devices.registry.register({ kind: 'user', id: adminId }, 'tenant-contoso', [{ mac: '00-04-F2-00-00-01', location: 'Lobby' }]);
  before = await domainSnapshot(bot.server.store.db);
});
afterAll(async () => {
  // Whatever was refused, nothing changed, and no request failed on the server's side.
  if (bot) {
    expect(await domainSnapshot(bot.server.store.db)).toEqual(before);
    expect(bot.logs().filter((line) => line.msg === 'request failed' || line.msg === 'turn failed')).toEqual([]);
    await bot.close();
  }
});

/** A JSON text of exactly `bytes` bytes: an object padded with spaces, which JSON allows. It is read, then refused as malformed. */
function jsonOfSize(bytes: number, value: object = { padding: true }): string {
  const text = JSON.stringify(value);
  return text + ' '.repeat(bytes - Buffer.byteLength(text));
}

const json = { 'content-type': 'application/json' };
const endpoints = ['/api/messages', '/api/device/v1/provision', '/api/device/v1/login-code'];

describe.each(endpoints)('POST %s', (path) => {
  it('answers 413 too_large to a JSON body over 1 MB with a Content-Length, in the API error shape', async () => {
    const body = jsonOfSize(maxRequestBodyBytes + 1);
    const answer = await rawPost(bot.url, path, { ...json, 'content-length': String(Buffer.byteLength(body)) }, [body]);
    expect(answer.status).toBe(413);
    expect(answer.json).toEqual({ code: 'too_large', message: expect.stringContaining('1,048,577 bytes') });
  });

  it('answers 413 too_large to a chunked body over 1 MB that declares no length', async () => {
    const body = jsonOfSize(2 * maxRequestBodyBytes);
    const chunks = [body.slice(0, 100_000), body.slice(100_000, 900_000), body.slice(900_000)];
    const answer = await rawPost(bot.url, path, { ...json, 'transfer-encoding': 'chunked' }, chunks);
    expect(answer.headers['content-length']).not.toBe(undefined);
    expect(answer.status).toBe(413);
    expect(answer.json).toEqual({ code: 'too_large', message: expect.any(String) });
  });

  it('reads a body of exactly 1 MB (the limit is inclusive), chunked or not', async () => {
    const body = jsonOfSize(maxRequestBodyBytes);
    const declared = await rawPost(bot.url, path, { ...json, 'content-length': String(maxRequestBodyBytes) }, [body]);
    const chunked = await rawPost(bot.url, path, { ...json, 'transfer-encoding': 'chunked' }, [body.slice(0, 1000), body.slice(1000)]);
    for (const answer of [declared, chunked]) {
      // Read and parsed: refused for what it says (not an activity, no MAC, no token), not for its size.
      expect([400, 401]).toContain(answer.status);
      expect(answer.json).toMatchObject({ code: expect.stringMatching(/^(invalid_input|unauthorized)$/) });
    }
  });

  it('answers 415 to a gzip body, however small, instead of inflating it past the limit', async () => {
    // 64 MB of JSON in about 64 KB of gzip: counted compressed, it slipped under the 1 MB limit.
    const bomb = gzipSync(Buffer.from(jsonOfSize(64 * 1024 * 1024)));
    expect(bomb.length).toBeLessThan(maxRequestBodyBytes);
    const answer = await rawPost(bot.url, path, { ...json, 'content-encoding': 'gzip', 'content-length': String(bomb.length) }, [bomb]);
    expect(answer.status).toBe(415);
    expect(answer.json).toEqual({ code: 'unsupported_media_type', message: expect.stringContaining('uncompressed') });
  });

  it.each([
    ['application/octet-stream', 'application/octet-stream'],
    ['text/plain', 'text/plain'],
    ['no Content-Type at all', null],
  ])('answers 415 to a body sent as %s, and 413 when it is also over 1 MB', async (_what, type) => {
    const headers: Record<string, string> = type ? { 'content-type': type } : {};
    const small = await rawPost(bot.url, path, headers, ['{"mac":"00-04-F2-00-00-01"}']);
    expect(small.status).toBe(415);
    expect(small.json).toEqual({ code: 'unsupported_media_type', message: expect.stringContaining('application/json') });
    const large = repeatTo(2 * maxRequestBodyBytes);
    const big = await rawPost(bot.url, path, { ...headers, 'content-length': String(large.length) }, [large]);
    expect(big.status).toBe(413);
    expect(big.json).toMatchObject({ code: 'too_large' });
  });

  it.each(['{"mac":', '{mac: 1}', '[1,', '\u0000', 'nul'])('answers 400 invalid_input to malformed JSON %j', async (text) => {
    const answer = await rawPost(bot.url, path, json, [text]);
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ code: 'invalid_input', message: expect.stringMatching(/JSON/) });
  });
});

describe('POST /api/messages with JSON that is not an activity', () => {
  const valid = () => bot.channel.activity({ type: 'message', text: 'whoami' }, { from: admin });

  // Built when the test runs: the activity needs the fake channel's address.
  const malformed: [string, () => unknown][] = [
    ['an array', () => []],
    ['null', () => null],
    ['a string', () => 'hello'],
    ['a number', () => 1],
    ['an empty object', () => ({})],
    ['no type', () => ({ ...valid(), type: undefined })],
    ['a numeric text', () => ({ ...valid(), text: 5 })],
    ['from: null', () => ({ ...valid(), from: null })],
    ['a conversation that is a string', () => ({ ...valid(), conversation: 'a:personal' })],
    ['no serviceUrl', () => ({ ...valid(), serviceUrl: undefined })],
    ['channelData that is a list', () => ({ ...valid(), channelData: [1] })],
    ['entities that are not a list', () => ({ ...valid(), entities: { type: 'mention' } })],
    // Found by test/property/http-json.test.ts: each failed the turn or answered 5xx.
    ['an Entra object id that is a list', () => ({ ...valid(), type: 'invoke', name: 'adaptiveCard/action', from: { id: ' ', aadObjectId: [] }, value: { action: { type: 'Action.Execute', verb: 'device.status', data: {} } } })],
    ['an invoke whose value is a list', () => ({ ...valid(), type: 'invoke', name: 'adaptiveCard/action', value: [] })],
    ['a card press without an action', () => ({ ...valid(), type: 'invoke', name: 'adaptiveCard/action', value: {} })],
    ['a mention whose name is a number', () => ({ ...valid(), entities: [{ type: 'mention', mentioned: { id: '29:tom', name: 7 }, text: '<at>Tom</at>' }] })],
  ];

  it.each(malformed)('answers 400 invalid_input to %s, naming what is wrong, and runs no turn', async (_what, body) => {
    const sent = bot.channel.received.length;
    const answer = await rawPost(bot.url, '/api/messages', json, [JSON.stringify(body())]);
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ code: 'invalid_input', message: expect.stringMatching(/^Not a Bot Framework activity \(.+\)\.$/) });
    expect(bot.channel.received.length).toBe(sent);
  });

  it('still answers a well-formed message after all of the above', async () => {
    const activity = valid();
    const answer = await bot.channel.post(activity);
    expect(answer.status).toBe(200);
    const [reply] = await bot.channel.waitFor(1, (received) => received.targetActivityId === activity.id, 10_000);
    expect(reply?.body.text).toContain(adminId);
    const health = await fetch(`${bot.url}/healthz`);
    expect(health.status).toBe(200);
  });
});
