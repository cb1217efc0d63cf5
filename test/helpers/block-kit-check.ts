// Checks a Block Kit message against the limits Slack enforces (it answers invalid_blocks or
// msg_too_long otherwise). The fake Slack runs it on every message the bot sends, so every
// test that sends one checks it.
export interface BlockKitProblem {
  path: string;
  problem: string;
}

const length = (text: unknown) => (typeof text === 'string' ? [...text].length : 0);

function checkText(path: string, text: unknown, max: number, problems: BlockKitProblem[]): void {
  if (length(text) > max) problems.push({ path, problem: `text of ${length(text)} characters (at most ${max})` });
}

/** Raw "<" or ">" in mrkdwn that is not Slack's own markup we write: a user's text got in unescaped. */
function checkEscaped(path: string, text: unknown, problems: BlockKitProblem[]): void {
  if (typeof text !== 'string') return;
  if (/<(?![@#!]|https?:|mailto:)/.test(text)) problems.push({ path, problem: 'unescaped "<" in mrkdwn' });
}

function checkElement(path: string, element: Record<string, unknown>, problems: BlockKitProblem[]): void {
  if (element.type === 'button') {
    checkText(`${path}.text`, (element.text as { text?: unknown } | undefined)?.text, 75, problems);
    checkText(`${path}.value`, element.value, 2000, problems);
    checkText(`${path}.action_id`, element.action_id, 255, problems);
  }
  if (element.type === 'static_select') {
    const options = (element.options as unknown[] | undefined) ?? [];
    if (options.length > 100) problems.push({ path, problem: `${options.length} options (at most 100)` });
  }
}

export function blockKitProblems(blocks: unknown): BlockKitProblem[] {
  const problems: BlockKitProblem[] = [];
  if (!Array.isArray(blocks)) return [{ path: 'blocks', problem: 'not an array' }];
  if (blocks.length > 50) problems.push({ path: 'blocks', problem: `${blocks.length} blocks (at most 50)` });
  const actionIds = new Set<string>();
  blocks.forEach((raw, index) => {
    const block = raw as Record<string, unknown>;
    const path = `blocks[${index}]`;
    const text = block.text as { type?: string; text?: unknown } | undefined;
    if (block.type === 'section') {
      checkText(`${path}.text`, text?.text, 3000, problems);
      if (text?.type === 'mrkdwn') checkEscaped(`${path}.text`, text.text, problems);
      const fields = (block.fields as { text?: unknown }[] | undefined) ?? [];
      if (fields.length > 10) problems.push({ path: `${path}.fields`, problem: `${fields.length} fields (at most 10)` });
      fields.forEach((field, at) => checkText(`${path}.fields[${at}]`, field.text, 2000, problems));
      if (!text && fields.length === 0) problems.push({ path, problem: 'a section without text or fields' });
      if (block.accessory) checkElement(`${path}.accessory`, block.accessory as Record<string, unknown>, problems);
    }
    if (block.type === 'header') checkText(`${path}.text`, text?.text, 150, problems);
    if (block.type === 'context') {
      const elements = (block.elements as { text?: unknown }[] | undefined) ?? [];
      if (elements.length > 10) problems.push({ path, problem: `${elements.length} context elements (at most 10)` });
    }
    if (block.type === 'actions') {
      const elements = (block.elements as Record<string, unknown>[] | undefined) ?? [];
      if (elements.length > 25) problems.push({ path, problem: `${elements.length} elements (at most 25)` });
      elements.forEach((element, at) => {
        checkElement(`${path}.elements[${at}]`, element, problems);
        const id = element.action_id;
        if (typeof id === 'string') {
          if (actionIds.has(id)) problems.push({ path: `${path}.elements[${at}]`, problem: `action_id ${id} used twice` });
          actionIds.add(id);
        }
      });
    }
    if (block.type === 'input') checkElement(`${path}.element`, block.element as Record<string, unknown>, problems);
  });
  return problems;
}
