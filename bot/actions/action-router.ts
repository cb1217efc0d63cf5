// Turns one card button press into one action run: find the handler for the verb, check who
// pressed it, validate the data, run it. Domain errors become an error card in place of the
// pressed card; anything else is a bug and goes to the adapter's error handler.
import { renderCard } from '../../cards/render.ts';
import { describePermission, isAllowed } from '../../services/auth/role.ts';
import { DomainError } from '../../services/shared/errors.ts';
import type { ActionContext, ActionResult, ActionSpec } from './action-spec.ts';

function errorCard(title: string, problem: string, suggestion: string | null = null): ActionResult {
  return { card: renderCard('commandError', { title, problem, suggestion, usage: null }) };
}

export async function routeAction(actions: readonly ActionSpec[], verb: string, data: unknown, context: ActionContext): Promise<ActionResult> {
  const action = actions.find((candidate) => candidate.verb === verb);
  if (!action) return errorCard('Unknown button', `This card's button "${verb}" is not known to this version of the bot.`, 'Type "help" to get a fresh card.');
  if (!isAllowed(context.roles, action.permission)) {
    return errorCard('Not allowed', `This button needs ${describePermission(action.permission)}, which you don't have here.`, 'Ask an admin to grant it ("grant <role> @you").');
  }
  const parsed = action.data.safeParse(data);
  if (!parsed.success) {
    return errorCard('Something is missing', parsed.error.issues.map((issue) => issue.message).join('; '), 'Fill in the card and press the button again.');
  }
  try {
    return await action.run(context, parsed.data);
  } catch (error) {
    if (error instanceof DomainError) return errorCard('That did not work', error.message);
    throw error;
  }
}
