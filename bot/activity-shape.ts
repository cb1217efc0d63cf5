// The least an activity POSTed to /api/messages must be before the chat adapter sees it. The
// Bot Framework protocol sends these fields on every activity; without them the adapter
// fails in ways a caller cannot read (`{}` was a 500 leaking "validateAndFixActivity():
// missing activity type"; a `from` of null or a numeric `text` crashed the turn, and the
// apology went nowhere). Teams never sends such activities; the Emulator or a script can.
// Checked before authentication, as botbuilder itself checks that the body is an object:
// the answer says only what is malformed, never anything about the bot.
import { z } from 'zod';

// Optional fields may be missing or null (the code reads them with ?. and ??), but when present
// they must have the type the code reads them as: a number where a name is expected was enough
// to fail a card press with a 500.
const text = z.string().nullish();

const account = z.looseObject({ id: z.string().min(1), name: text, aadObjectId: text });

const activity = z.looseObject({
  type: z.string().min(1),
  id: text,
  name: text,
  channelId: z.string().min(1),
  serviceUrl: z.string().min(1),
  conversation: z.looseObject({ id: z.string().min(1), conversationType: text, tenantId: text, name: text, isGroup: z.boolean().nullish() }),
  from: account,
  recipient: account,
  replyToId: text,
  text,
  channelData: z.looseObject({}).nullish(),
  entities: z.array(z.looseObject({ type: text, text, mentioned: account.nullish() })).nullish(),
  attachments: z.array(z.looseObject({ contentType: text, name: text })).nullish(),
})
  .refine((parsed) => parsed.type !== 'invoke' || parsed.value == null || isObject(parsed.value), {
    // botbuilder answers an invoke whose value is a list or a number with 501 Not Implemented.
    message: "an invoke's value must be an object",
    path: ['value'],
  })
  .refine((parsed) => parsed.name !== 'adaptiveCard/action' || parsed.value == null || isObject((parsed.value as { action?: unknown }).action), {
    // A card press without an action object fails inside botbuilder (value.action.type) and the turn fails.
    message: 'a card action must carry an action object',
    path: ['value', 'action'],
  });

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * How deep an activity may nest. Teams' deepest (a card's data inside an invoke's value) is
 * under 10; a verb nested thousands deep ran botbuilder's recursive code out of stack
 * (RangeError, a 501 and the apology).
 */
export const maxActivityDepth = 32;

/** True when `value` nests objects or arrays deeper than `max` (walked without recursion). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}

/** What is wrong with the body as an activity, in one sentence; null when the adapter can take it. */
export function activityShapeProblem(body: unknown): string | null {
  if (nestsDeeperThan(body, maxActivityDepth)) return `Not a Bot Framework activity (body: nested deeper than ${maxActivityDepth} levels).`;
  const result = activity.safeParse(body);
  if (result.success) return null;
  const where = result.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
    .join('; ');
  return `Not a Bot Framework activity (${where}).`;
}
