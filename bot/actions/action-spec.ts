// The shape of every card button handler (verb). One spec per verb, listed in actions/index.ts.
// Like commands, each names its operation in the permission table and validates its data, and
// answers with a neutral Reply: the view that replaces the pressed one.
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

export interface ActionSpec<Data = unknown> {
  verb: string;
  operation: Operation;
  /** Validates the button's data merged with the card's inputs. */
  data: z.ZodType<Data>;
  run(context: ActionContext, data: Data): Promise<ActionResult>;
}

export function defineAction<Data>(spec: ActionSpec<Data>): ActionSpec {
  return spec as unknown as ActionSpec;
}
