// The shape of every card button handler (verb). One spec per verb, listed in actions/index.ts.
// Like commands, each names its operation in the permission table and validates its data, and
// answers with a neutral Reply: the view that replaces the pressed one. A press that is refused
// (bot/actions/action-router.ts) leaves the pressed card as it was: see ActionRefusal.
import type { z } from 'zod';
import type { Operation } from '../../services/auth/permissions.ts';
import type { CommandContext, TrackedCard } from '../commands/command-spec.ts';
import type { View } from '../views/reply.ts';

export type ActionContext = Omit<CommandContext, 'mentions' | 'files' | 'confirmed'>;

/** The view that replaces the one whose button was pressed. */
export interface ActionResult {
  view: View;
  track?: TrackedCard;
}

/**
 * A press refused: what went wrong, shown beside the pressed card, which stays as it was (its
 * codes, its form, what the person typed), so the same button can be pressed again. Teams
 * answers it with Universal Actions' error response.
 */
export interface ActionRefusal {
  /** Stable, for logs and tests: unknown_button, not_allowed, invalid_card_data, or the DomainError's code. */
  code: string;
  /** Short: "Not allowed". */
  title: string;
  /** What is wrong and what to do, in sentences. */
  message: string;
}

/** What a button press comes to: a view in place of the pressed card, or a refusal that keeps it. */
export type ActionOutcome = ActionResult | { refused: ActionRefusal };

export interface ActionSpec<Data = unknown> {
  verb: string;
  operation: Operation;
  /** Validates the button's data merged with the card's inputs. */
  data: z.ZodType<Data>;
  run(context: ActionContext, data: Data): Promise<ActionOutcome>;
}

export function defineAction<Data>(spec: ActionSpec<Data>): ActionSpec {
  return spec as unknown as ActionSpec;
}
