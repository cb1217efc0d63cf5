// Turns one card button press into one action run: find the handler for the verb, check who
// pressed it, validate the data, run it. A refusal (unknown verb, no permission, bad data, a
// domain error) never replaces the pressed card: it is answered beside it (ActionRefusal), so
// a hand-off's codes or a half-filled form survive a mistake. Anything else is a bug and goes
// to the adapter's error handler.
//
// The verb and data come from the client, so they may have been tampered with: a verb that is
// not text, data of the wrong types, ids of another hand-off, strings of any size. Each is
// refused with a sentence saying what is wrong, before anything is read or changed; the refusal
// quotes at most a short piece of what was sent.
import type { z } from 'zod';
import { can, whoMay } from '../../services/auth/permissions.ts';
import { DomainError } from '../../services/shared/errors.ts';
import type { ActionContext, ActionOutcome, ActionSpec } from './action-spec.ts';
import { quoted } from './card-data.ts';

function refusal(code: string, title: string, problem: string, suggestion: string | null = null): ActionOutcome {
  return { refused: { code, title, message: `${title}: ${problem}${suggestion ? ` ${suggestion}` : ''}` } };
}

/** The card data's problems in words: each names its field, as the card's author sees it. */
function describeIssues(issues: z.ZodError['issues']): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const field = issue.path.join('.');
      return field === '' ? issue.message : `${field}: ${issue.message}`;
    })
    .join('; ');
}

export async function routeAction(actions: readonly ActionSpec[], verb: unknown, data: unknown, context: ActionContext): Promise<ActionOutcome> {
  const action = typeof verb === 'string' ? actions.find((candidate) => candidate.verb === verb) : undefined;
  if (!action) {
    return refusal('unknown_button', 'Unknown button', `This card's button "${quoted(verb)}" is not known to this version of the bot.`, 'Type "help" to get a fresh card.');
  }
  if (!can(context.roles, action.operation)) {
    return refusal('not_allowed', 'Not allowed', `This button needs ${whoMay(action.operation)}, which you don't have here.`, 'Ask an admin to grant it ("grant ROLE @you").');
  }
  const parsed = action.data.safeParse(data);
  if (!parsed.success) {
    return refusal('invalid_card_data', 'Something is missing or wrong', `${describeIssues(parsed.error.issues)}.`, 'Fill in the card and press the button again, or get a fresh card (type "help").');
  }
  try {
    return await action.run(context, parsed.data);
  } catch (error) {
    if (error instanceof DomainError) return refusal(error.code, 'That did not work', error.message);
    throw error;
  }
}
