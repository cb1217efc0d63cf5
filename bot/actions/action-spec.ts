// The shape of every card button handler (Action.Execute verb). One spec per verb, listed in
// actions/index.ts. Like commands, each names who may press it and validates its data.
import type { z } from 'zod';
import type { AdaptiveCard } from '../../cards/views.ts';
import type { Permission } from '../../services/auth/role.ts';
import type { CommandContext, TrackedCard } from '../commands/command-spec.ts';

export type ActionContext = Omit<CommandContext, 'mentions' | 'files' | 'confirmed'>;

/** The card that replaces the one whose button was pressed. */
export interface ActionResult {
  card: AdaptiveCard;
  track?: TrackedCard;
}

export interface ActionSpec<Data = unknown> {
  verb: string;
  permission: Permission;
  /** Validates the button's data merged with the card's inputs. */
  data: z.ZodType<Data>;
  run(context: ActionContext, data: Data): Promise<ActionResult>;
}

export function defineAction<Data>(spec: ActionSpec<Data>): ActionSpec {
  return spec as unknown as ActionSpec;
}
