// Neutral buttons (ViewAction) as Block Kit buttons, and back. A button carries what it does
// in its `value` (JSON: a card verb and its data, a command to run as if typed, or a dialog to
// open), so a press arrives with everything the action router needs. The value comes back
// from the client: it is parsed defensively and the action router checks it like any card
// data (permission table, zod), so a forged value gets no further than a forged Teams card.
import type { ViewAction } from '../views/view-data.ts';
import { blockKitLimits, cut, escapeText, plainText, type SlackBlock } from './block-kit.ts';

/** Every button of ours has an action_id starting with this; selects and inputs have their field id. */
export const buttonActionPrefix = 'provision.button.';

/** What a pressed button asks for. */
export type PressedButton =
  | { kind: 'verb'; verb: string; data: Record<string, unknown> }
  | { kind: 'dialog'; dialog: string; data: Record<string, string> }
  | { kind: 'command'; command: string };

interface EncodedValue {
  v?: string;
  g?: string;
  c?: string;
  d?: Record<string, string>;
}

function encode(action: ViewAction): string {
  const value: EncodedValue = action.verb !== undefined ? { v: action.verb, d: action.data ?? {} } : action.dialog !== undefined ? { g: action.dialog, d: action.data ?? {} } : { c: action.command };
  return JSON.stringify(value);
}

/**
 * The button, or null when what it carries is over Slack's 2,000-character value limit (a
 * command with a long pasted argument): such a button is left out and its command shown as text.
 */
export function slackButton(action: ViewAction, index: number, confirm?: { title: string; text: string; confirm: string; deny: string }): SlackBlock | null {
  const value = encode(action);
  if (value.length > blockKitLimits.buttonValueChars) return null;
  const style = action.style === 'positive' ? { style: 'primary' } : action.style === 'destructive' ? { style: 'danger' } : {};
  return {
    type: 'button',
    action_id: `${buttonActionPrefix}${index}`,
    text: plainText(action.label),
    value,
    ...style,
    ...(confirm
      ? {
          confirm: {
            title: plainText(confirm.title, 100),
            text: { type: 'mrkdwn', text: cut(escapeText(confirm.text), 300) },
            confirm: plainText(confirm.confirm, 30),
            deny: plainText(confirm.deny, 30),
          },
        }
      : {}),
  };
}

/** The buttons as actions blocks (at most 25 a block); buttons too big to carry become a line of text. */
export function actionBlocks(actions: readonly ViewAction[] | undefined, firstIndex = 0): SlackBlock[] {
  if (!actions || actions.length === 0) return [];
  const elements: SlackBlock[] = [];
  const typed: string[] = [];
  actions.forEach((action, offset) => {
    const button = slackButton(action, firstIndex + offset);
    if (button) elements.push(button);
    else if (action.command !== undefined) typed.push(action.command);
  });
  const blocks: SlackBlock[] = [];
  for (let start = 0; start < elements.length; start += blockKitLimits.actionsElements) {
    blocks.push({ type: 'actions', elements: elements.slice(start, start + blockKitLimits.actionsElements) });
  }
  if (typed.length > 0) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: cut(`Too long for a button; type: ${typed.map((command) => `\`/provision ${escapeText(cut(command, 200))}\``).join(' or ')}`, 3000) }] });
  }
  return blocks;
}

/** A pressed button's value as what it asks for; null when it is not one of ours or not readable. */
export function pressedButton(value: unknown): PressedButton | null {
  if (typeof value !== 'string' || value.length > blockKitLimits.buttonValueChars) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const { v, g, c, d } = parsed as Record<string, unknown>;
  const data = d !== null && typeof d === 'object' && !Array.isArray(d) ? (d as Record<string, unknown>) : {};
  if (typeof v === 'string') return { kind: 'verb', verb: v, data };
  if (typeof g === 'string') {
    const strings = Object.fromEntries(Object.entries(data).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    return { kind: 'dialog', dialog: g, data: strings };
  }
  if (typeof c === 'string') return { kind: 'command', command: c };
  return null;
}
