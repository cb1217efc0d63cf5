// What every door gets back from the core: a platform-neutral reply. A command, a card
// button, a dialog submit and the notification planner all answer with one of these; each
// platform renders it (Teams: Adaptive Cards 1.5 in bot/teams/render-view.ts; Slack later:
// Block Kit). Nothing here knows a card format, Teams markdown or mentions.
//
// Text (`text`, and the text fields of views) is plain sentences with two marks every
// renderer knows: **bold** and `code`; paragraphs are separated by a blank line.
import type { Instant, Style, ViewAction, ViewData, ViewName } from './view-data.ts';

export type { ActionStyle, Instant, ViewAction } from './view-data.ts';

/** A named view with its typed data. */
export type View = { [K in ViewName]: { name: K; data: ViewData[K] } }[ViewName];

export function view<K extends ViewName>(name: K, data: ViewData[K]): View {
  return { name, data } as View;
}

/**
 * A card the chat layer redraws later as its subject changes (where it was posted is recorded):
 * a hand-off (subject: batch id), a sign-in card or a device's status card (subject: device id).
 */
export interface TrackedCard {
  kind: 'handoff' | 'sign_in' | 'status' | 'sign_in_queue';
  subject: string;
}

/**
 * What a door shows: a view (with an optional line of text beside it), or text alone.
 * `track` asks the door to remember where the view was posted, to redraw it in place.
 */
export type Reply = ({ view: View; text?: string } | { text: string; view?: undefined }) & { track?: TrackedCard };

export function instant(at: Date, timeZone: string): Instant {
  return { instant: at.toISOString(), timeZone };
}

export function isInstant(value: unknown): value is Instant {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Instant).instant === 'string' &&
    typeof (value as Instant).timeZone === 'string' &&
    Object.keys(value).length === 2
  );
}

/** A short message in place of a pressed card, or as a whole reply (e.g. "Cancelled"). */
export function noticeReply(title: string, text: string, style: Style = 'default'): Reply {
  return { view: view('notice', { title, text, style }) };
}

/**
 * A refusal or failure: what went wrong and, if known, what to type instead. Every error a
 * command answers is one of these, whatever the command (successes and empty results are not).
 */
export function errorReply(
  title: string,
  problem: string,
  suggestion: string | null = null,
  usage: string | null = null,
  actions: readonly ViewAction[] = [],
): Reply {
  return { view: view('commandError', { title, problem, suggestion, usage, ...(actions.length > 0 ? { actions: [...actions] } : {}) }) };
}
