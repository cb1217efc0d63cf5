// Issue 12, item 11: a card verb nested thousands deep and a 1 MB one-word message. The first
// ran botbuilder out of stack (RangeError: 501 and the apology); the second kept the event loop
// busy for about a second and was echoed in a 3 MB reply.
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shownText } from '../../helpers/card-text.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';

let bot: TestBot;
beforeAll(async () => {
  bot = await startTestBot();
  // The first message of a conversation does the one-off work (conversation row, first card).
  await bot.channel.message('hello');
});
afterAll(async () => {
  await bot.close();
});

/** POSTs raw JSON (JSON.stringify itself would overflow on such nesting). */
async function postRaw(json: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json });
  return { status: response.status, body: await response.json().catch(() => null) };
}

function pressWithVerbJson(verbJson: string): string {
  const activity = JSON.stringify(bot.channel.activity({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: '__VERB__', data: {} } } }));
  return activity.replace('"__VERB__"', verbJson);
}

describe('a card verb nested deeply', () => {
  it.each([100, 10_000, 100_000])('nested %i deep is refused as 400 before any turn runs', async (depth) => {
    const answer = await postRaw(pressWithVerbJson(`${'{"v":'.repeat(depth)}"x"${'}'.repeat(depth)}`));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'invalid_input', message: expect.stringContaining('nested deeper than 32 levels') });
    expect(bot.logs().some((line) => line.msg === 'turn failed' || line.msg === 'request failed')).toBe(false);
  });

  it('a verb that is a shallow object stays what it was: an unknown button (400)', async () => {
    const answer = await postRaw(pressWithVerbJson('{"v":"x"}'));
    expect(answer).toMatchObject({ status: 400, body: { value: { code: 'unknown_button' } } });
  });
});

describe('a very long message', () => {
  it('a 1 MB one-word message gets a short "too long" reply at once, and runs nothing', async () => {
    const before = bot.channel.received.length;
    const started = performance.now();
    const answer = await bot.channel.message('x'.repeat(1_000_000));
    const elapsed = performance.now() - started;
    expect(answer.status).toBe(200);
    const reply = bot.channel.received[before];
    expect(shownText(reply)).toContain('That message is 1,000 KB long; I read messages of at most 100 KB');
    expect(JSON.stringify(reply?.body).length).toBeLessThan(10_000);
    // The review measured about 2 s; a short message takes about 90 ms here.
    expect(elapsed).toBeLessThan(500);
  });

  it('a 90 KB one-word message (under the cap) is an unknown command echoed in 40 characters, without suggestions', async () => {
    const before = bot.channel.received.length;
    const started = performance.now();
    await bot.channel.message('y'.repeat(90_000));
    const elapsed = performance.now() - started;
    const shown = shownText(bot.channel.received[before]);
    expect(shown).toContain(`I don't know the command "${'y'.repeat(39)}…"`);
    expect(shown.length).toBeLessThan(1_000);
    expect(elapsed).toBeLessThan(500);
  });
});
