// The card button registry: one handler per Action.Execute verb of cards/verbs.ts.
import type { ActionSpec } from './action-spec.ts';
import { cancelAction, confirmAction } from './confirm-actions.ts';
import { markInstalledAction, reportProblemAction } from './handoff-actions.ts';
import { refreshSignInAction, showStatusAction, signInAction } from './sign-in-actions.ts';
import { regenerateCodesAction } from './regenerate-actions.ts';
import { signInQueueDoneAction } from './sign-in-queue-actions.ts';

export const actions: readonly ActionSpec[] = [
  signInAction,
  refreshSignInAction,
  showStatusAction,
  markInstalledAction,
  reportProblemAction,
  confirmAction,
  cancelAction,
  regenerateCodesAction,
  signInQueueDoneAction,
];
