// Generated JSON against the real server: any JSON value POSTed to the chat endpoint or the
// device API, and well-formed activities with fields replaced by arbitrary JSON, are answered
// without a 5xx; every refusal is in the API's error shape; and no chat turn fails (a failed
// turn is the apology in chat).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawPost } from '../helpers/bad-input.ts';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';

const adminId = '0f6c1d2e-cccc-4a4a-9b9b-000000000001';
const admin = { id: '29:json-admin', name: 'Json Admin', aadObjectId: adminId };
const json = { 'content-type': 'application/json' };

let bot: TestBot;

beforeAll(async () => {
  bot = await startTestBot({ ADMIN_USER_IDS: adminId }, { scheduler: 'off' });
  await bot.server.services.devices.registry.register({ kind: 'user', id: adminId }, 'tenant-contoso', [{ mac: '00-04-F2-00-00-01', location: 'Lobby' }]);
});
afterAll(async () => {
  await bot?.close();
});

/**
 * What the server must answer: below 500, and a refusal as { code, message }, or for a card
 * press that the adapter itself refuses (an Action.Submit, no action), the Bot Framework's own
 * invoke error, which is what Teams reads.
 */
function expectAnswered(answer: Awaited<ReturnType<typeof rawPost>>, sent: unknown): void {
  expect(answer.status, JSON.stringify(sent)).toBeLessThan(500);
  if (answer.status >= 400) {
    const refusal = { code: expect.any(String), message: expect.any(String) };
    const invokeError = { statusCode: answer.status, type: 'application/vnd.microsoft.error', value: refusal };
    expect(answer.json, JSON.stringify(sent)).toSatisfy((body) => {
      try {
        expect(body).toMatchObject(refusal);
        return true;
      } catch {
        expect(body).toMatchObject(invokeError);
        return true;
      }
    });
  }
}

/** A field of an activity replaced by anything JSON can carry, or removed. */
const activityFields = ['type', 'name', 'text', 'from', 'recipient', 'conversation', 'channelData', 'entities', 'attachments', 'value', 'replyToId', 'channelId', 'id', 'timestamp'] as const;
const replacement = fc.dictionary(fc.constantFrom(...activityFields), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined)), { minKeys: 1, maxKeys: 3 });

/** Values shaped like what a field usually holds, so the mutation reaches past the first checks. */
const plausible = fc.record(
  {
    text: fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('help', 'status 00-04-F2-00-00-01', '<at>ProvisioningBot</at> whoami')),
    from: fc.record({ id: fc.string({ minLength: 1, maxLength: 10 }), name: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 1 })), aadObjectId: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 1 })) }, { requiredKeys: ['id'] }),
    channelData: fc.record({ tenant: fc.oneof(fc.record({ id: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 1 })) }), fc.jsonValue({ maxDepth: 1 })) }),
    entities: fc.array(fc.record({ type: fc.constantFrom('mention', 'clientInfo'), mentioned: fc.jsonValue({ maxDepth: 2 }), text: fc.jsonValue({ maxDepth: 1 }) }), { maxLength: 2 }),
    attachments: fc.array(fc.record({ contentType: fc.constantFrom('application/vnd.microsoft.teams.file.download.info', 'text/html'), name: fc.jsonValue({ maxDepth: 1 }), content: fc.jsonValue({ maxDepth: 2 }) }), { maxLength: 2 }),
    value: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.record({ action: fc.record({ type: fc.constantFrom('Action.Execute', 'Action.Submit'), verb: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 1 })), data: fc.jsonValue({ maxDepth: 2 }) }) })),
  },
  { requiredKeys: [] },
);

describe('generated JSON against the real server', () => {
  it.each(['/api/messages', '/api/device/v1/provision', '/api/device/v1/signed-in'])('answers any JSON value POSTed to %s below 500, in the error shape', async (path) => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (value) => {
        expectAnswered(await rawPost(bot.url, path, json, [JSON.stringify(value)]), value);
      }),
      { numRuns: 60 },
    );
  });

  it('answers messages and card presses with fields replaced by arbitrary JSON below 500, and no turn fails', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('message', 'invoke'), fc.oneof(replacement, plausible), async (type, fields) => {
        const base = type === 'message' ? { type, text: 'help' } : { type, name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'device.status', data: { mac: '00-04-F2-00-00-01' } } } };
        const activity: Record<string, unknown> = { ...bot.channel.activity(base, { from: admin }), ...fields };
        const answer = await rawPost(bot.url, '/api/messages', json, [JSON.stringify(activity)]);
        // An invoke the bot has no handler for (no name, another name) gets the protocol's own
        // answer, 501 Not Implemented: what Teams expects, not a failure.
        if (activity.type === 'invoke' && activity.name !== 'adaptiveCard/action' && answer.status === 501) return;
        expectAnswered(answer, activity);
      }),
      { numRuns: 150 },
    );
    // A turn that failed sent the apology; none may have.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const failed = bot.logs().filter((line) => line.msg === 'turn failed' || line.msg === 'request failed');
    expect(failed.map((line) => (line.err as { message?: string } | undefined)?.message)).toEqual([]);
  });
});
