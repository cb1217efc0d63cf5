// The Teams renderer: a platform-neutral view (bot/views/) as an Adaptive Card 1.5. Views with a
// template of their own are filled from cards/<name>.json (adaptivecards-templating); the
// building-blocks view and command forms are drawn here from their parts. Neutral buttons
// become Action.Execute (card actions, refreshed in place), Action.Submit with
// msteams.type "task/fetch" (opening a dialog) or "imBack" (running a command as if typed).
import { renderCard } from '../../cards/render.ts';
import type { AdaptiveCard, CardName, CardViews, TemplateData } from '../../cards/template-data.ts';
import { isInstant, type Reply, type View, type ViewAction } from '../views/reply.ts';
import type { Block, BlocksView, FormView, Style } from '../views/view-data.ts';
import type { Instant } from '../views/view-data.ts';
import { adaptiveCardTime, formatTime } from '../views/time.ts';
import { literalMarkdown, withLiteralText } from './literal-markdown.ts';

export const adaptiveCardContentType = 'application/vnd.microsoft.card.adaptive';

/** Every Instant in a view's data as text in its zone ("Mon 23 Nov, 09:00 CET"): for plain text. */
export function withTimesFormatted<T>(value: T): TemplateData<T> {
  if (isInstant(value)) return formatTime(new Date(value.instant), value.timeZone) as TemplateData<T>;
  if (Array.isArray(value)) return value.map((item) => withTimesFormatted(item)) as TemplateData<T>;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withTimesFormatted(item)])) as TemplateData<T>;
  }
  return value as TemplateData<T>;
}

// Times on a card follow each reader's zone where Teams can do it: in a TextBlock's text, an
// Instant becomes Adaptive Cards' {{DATE(…)}}/{{TIME(…)}}, which Teams formats on the reader's
// device. Everywhere else (fact values, fallbackText, button data: plain text, or not documented
// to support the functions) it is written in its view's zone with the zone's name. The template
// cannot tell where a value lands, so each Instant enters it as a marker and is written out once
// the card is expanded and the marker's place is known. The marker is private-use characters; a
// user's text holding the marker character has it doubled, so it can never pass for one.
const MARK = '\uE010';
const MARK_END = '\uE011';
const markerPattern = /\uE010(?:(\uE010)|(\d+)\uE011)/g;

function withInstantsMarked(value: unknown, instants: Instant[]): unknown {
  if (isInstant(value)) {
    instants.push(value);
    return `${MARK}${instants.length - 1}${MARK_END}`;
  }
  if (typeof value === 'string') return value.replaceAll(MARK, MARK + MARK);
  if (Array.isArray(value)) return value.map((item) => withInstantsMarked(item, instants));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withInstantsMarked(item, instants)]));
  }
  return value;
}

function withInstantsWritten(value: unknown, instants: readonly Instant[], readersZone = false): unknown {
  if (typeof value === 'string') {
    return value.replace(markerPattern, (_match, escaped: string | undefined, index: string | undefined) => {
      if (escaped !== undefined) return MARK;
      const at = instants[Number(index)];
      if (!at) return '';
      const date = new Date(at.instant);
      return readersZone ? adaptiveCardTime(date) : formatTime(date, at.timeZone);
    });
  }
  if (Array.isArray(value)) return value.map((item) => withInstantsWritten(item, instants));
  if (value !== null && typeof value === 'object') {
    const isTextBlock = (value as { type?: unknown }).type === 'TextBlock';
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withInstantsWritten(item, instants, isTextBlock && key === 'text')]));
  }
  return value;
}

/**
 * withInstantsWritten(withLiteralText(card)) in one walk of the card instead of two copies (every
 * chat reply draws one): the markdown escaped first, then the times written, whose {{DATE()}}
 * functions are the renderer's own text. A fact list goes through the two steps as they are.
 */
function withLiteralTextAndInstants(node: unknown, instants: readonly Instant[]): unknown {
  if (typeof node === 'string' || node === null || typeof node !== 'object') return withInstantsWritten(node, instants);
  if (Array.isArray(node)) return node.map((item) => withLiteralTextAndInstants(item, instants));
  const record = node as Record<string, unknown>;
  const textBlockText = record.type === 'TextBlock' && typeof record.text === 'string' ? record.text : null;
  const factSetFacts = record.type === 'FactSet' && Array.isArray(record.facts) ? (record.facts as Record<string, unknown>[]) : null;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === 'text' && textBlockText !== null) copy.text = withInstantsWritten(literalMarkdown(textBlockText), instants, true);
    else if (key === 'facts' && factSetFacts !== null) copy.facts = withInstantsWritten(withLiteralText({ type: 'FactSet', facts: factSetFacts }).facts, instants);
    else copy[key] = withLiteralTextAndInstants(value, instants);
  }
  return copy;
}

/** A templated view as its card, each Instant shown in the reader's zone where Teams can (see above). */
function templatedCard(name: CardName, data: Record<string, unknown>): AdaptiveCard {
  const instants: Instant[] = [];
  const marked = withInstantsMarked(data, instants) as CardViews[CardName];
  return withLiteralTextAndInstants(renderCard(name, marked), instants) as AdaptiveCard;
}

const buttonStyles = { default: 'default', positive: 'positive', destructive: 'destructive' } as const;

/** A neutral button as an Adaptive Card action. */
export function adaptiveAction(action: ViewAction): Record<string, unknown> {
  const style = action.style && action.style !== 'default' ? { style: buttonStyles[action.style] } : {};
  if (action.verb !== undefined) {
    return { type: 'Action.Execute', title: action.label, verb: action.verb, data: { ...action.data }, ...style };
  }
  if (action.dialog !== undefined) {
    // Teams opens a dialog for a task/fetch submit: the bot answers the invoke with the form.
    return { type: 'Action.Submit', title: action.label, data: { msteams: { type: 'task/fetch' }, dialog: action.dialog, ...action.data }, ...style };
  }
  return { type: 'Action.Submit', title: action.label, data: { msteams: { type: 'imBack', value: action.command } }, ...style };
}

function withActions(card: AdaptiveCard, actions: readonly ViewAction[] | undefined): AdaptiveCard {
  if (!actions || actions.length === 0) return card;
  const existing = Array.isArray(card.actions) ? (card.actions as unknown[]) : [];
  return { ...card, actions: [...existing, ...actions.map(adaptiveAction)] };
}

const heading = (text: string) => ({ type: 'TextBlock', text, style: 'heading', size: 'medium', weight: 'bolder', wrap: true });
/**
 * A notice's box and text: an emphasis box with default text reads in Teams' light, dark and
 * high-contrast themes alike (a "good" box with green text does not); only a problem is red.
 */
const noticeBox = (style: Style) => (style === 'attention' ? { box: 'attention', color: 'attention' } : { box: 'emphasis', color: 'default' });

function blockElements(block: Block): Record<string, unknown>[] {
  switch (block.kind) {
    case 'text':
      return [{ type: 'TextBlock', text: block.text, wrap: true, ...(block.subtle ? { isSubtle: true, size: 'small' } : {}) }];
    case 'facts':
      return block.facts.length === 0 ? [] : [{ type: 'FactSet', facts: block.facts.map((fact) => ({ title: fact.title, value: fact.value })) }];
    case 'table':
      return [
        {
          type: 'Table',
          // The header row is drawn bold (firstRowAsHeaders is missing from the published 1.5 schema).
          showGridLines: false,
          columns: block.columns.map(() => ({ width: 1 })),
          rows: [block.columns, ...block.rows].map((cells, index) => ({
            type: 'TableRow',
            cells: cells.map((cell) => ({ type: 'TableCell', items: [{ type: 'TextBlock', text: cell, wrap: true, ...(index === 0 ? { weight: 'bolder' } : {}) }] })),
          })),
        },
      ];
    case 'progress': {
      const width = 12;
      const filled = block.total > 0 ? Math.round((block.done / block.total) * width) : 0;
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      return [{ type: 'TextBlock', text: `${block.label}: ${bar} ${block.done} of ${block.total}`, fontType: 'monospace', wrap: true }];
    }
    case 'item':
      return [
        {
          type: 'Container',
          separator: true,
          items: [
            { type: 'TextBlock', text: block.title, weight: 'bolder', wrap: true },
            ...(block.facts.length === 0 ? [] : [{ type: 'FactSet', facts: block.facts.map((fact) => ({ title: fact.title, value: fact.value })) }]),
            ...(block.action ? [{ type: 'ActionSet', actions: [adaptiveAction(block.action)] }] : []),
          ],
        },
      ];
    case 'notice':
      return [{ type: 'Container', style: noticeBox(block.style).box, items: [{ type: 'TextBlock', text: block.text, color: noticeBox(block.style).color, wrap: true }] }];
  }
}

function blocksCard(view: BlocksView): AdaptiveCard {
  return withActions(
    { type: 'AdaptiveCard', version: '1.5', fallbackText: view.summary, body: [heading(view.title), ...view.blocks.flatMap(blockElements)] },
    view.actions,
  );
}

/** "In use: Lobby, Floor 2 and 8 more." */
function suggestionLine(choices: readonly { label: string }[]): string {
  const shown = choices.slice(0, 10).map((choice) => choice.label);
  const more = choices.length - shown.length;
  // " · " between them: a location may itself contain a comma.
  return `In use: ${shown.join(' · ')}${more > 0 ? ` and ${more} more` : ''}.`;
}

/** A command's form as the card inside a Teams dialog: the fields, each with its error under it. */
export function formCard(form: FormView): AdaptiveCard {
  // No heading: Teams shows the form's title on the dialog's own title bar.
  const body: Record<string, unknown>[] = [{ type: 'TextBlock', text: form.intro, wrap: true }];
  if (form.problem) {
    body.push({ type: 'Container', style: 'attention', items: [{ type: 'TextBlock', text: form.problem, color: 'attention', wrap: true }] });
  }
  for (const field of form.fields) {
    const value = form.values[field.id] ?? '';
    const common = { id: field.id, label: field.label, isRequired: field.required, ...(field.required ? { errorMessage: `${field.label} is required.` } : {}) };
    if (field.kind === 'choice' || (field.suggestAs === 'pick' && field.choices && field.choices.length > 0)) {
      body.push({ type: 'Input.ChoiceSet', ...common, style: 'compact', value, choices: (field.choices ?? []).map((choice) => ({ title: choice.label, value: choice.value })) });
    } else {
      body.push({ type: 'Input.Text', ...common, isMultiline: field.kind === 'multiline', value, ...(field.placeholder ? { placeholder: field.placeholder } : {}) });
    }
    const error = form.errors[field.id];
    // Suggestions for a text field are listed under it: the person may use one or type anew
    // (a filtered choice set would take new text too, but the published 1.5 schema lacks it).
    const suggestions = field.kind !== 'choice' && field.suggestAs !== 'pick' && field.choices && field.choices.length > 0 ? suggestionLine(field.choices) : null;
    const hint = [field.hint, suggestions].filter((part) => part).join(' ');
    if (error) body.push({ type: 'TextBlock', text: error, color: 'attention', size: 'small', spacing: 'none', wrap: true });
    else if (hint) body.push({ type: 'TextBlock', text: hint, isSubtle: true, size: 'small', spacing: 'none', wrap: true });
  }
  const fallbackText = `${form.title}: ${form.fields.map((field) => field.label).join(', ')}`;
  return {
    type: 'AdaptiveCard',
    version: '1.5',
    fallbackText,
    body,
    actions: [{ type: 'Action.Submit', title: form.submitLabel, style: 'positive', data: { dialog: form.dialog } }],
  };
}

/** The view as an Adaptive Card; every text shown as written, never as markdown (./literal-markdown.ts). */
export function renderView(view: View): AdaptiveCard {
  switch (view.name) {
    case 'blocks':
      return withLiteralText(blocksCard(view.data));
    case 'form':
      return withLiteralText(formCard(view.data));
    default: {
      const { actions, ...data } = view.data as unknown as { actions?: ViewAction[] } & Record<string, unknown>;
      const card = templatedCard(view.name as CardName, data);
      return withActions(card, actions);
    }
  }
}

/** A reply as the message Teams shows: markdown text, or the card with its text beside it. */
export function messageOf(reply: Pick<Reply, 'text' | 'view'>): { text?: string; card?: AdaptiveCard } {
  if (reply.view) return { card: renderView(reply.view), ...(reply.text ? { text: reply.text } : {}) };
  return { text: reply.text ?? '' };
}
