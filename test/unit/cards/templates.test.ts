import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cardNames } from '../../../cards/render.ts';
import { verbs } from '../../../bot/actions/verbs.ts';
import { actionsOf, nodesOf, ofType, projectRoot, stringsOf } from './card-checks.ts';

// Checks on the template files themselves, so that branches a sample view does not reach are
// held to the same rules.
const cardsDir = path.join(projectRoot, 'cards');
const templates = Object.fromEntries(
  cardNames.map((name) => [name, JSON.parse(readFileSync(path.join(cardsDir, `${name}.json`), 'utf8')) as Record<string, unknown>]),
);

describe('card templates', () => {
  it('exist for every card name and for nothing else', () => {
    const files = readdirSync(cardsDir).filter((file) => file.endsWith('.json'));
    expect(files.sort()).toEqual(cardNames.map((name) => `${name}.json`).sort());
  });

  it.each(cardNames)('%s pins Adaptive Cards 1.5 and binds its fallbackText', (name) => {
    expect(templates[name]).toMatchObject({
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      type: 'AdaptiveCard',
      version: '1.5',
      fallbackText: expect.stringContaining('${'),
    });
  });

  it.each(cardNames)('%s has only Action.Execute buttons with verbs from cards/verbs.ts (and links)', (name) => {
    const known: string[] = Object.values(verbs);
    for (const action of actionsOf(templates[name])) {
      expect(['Action.Execute', 'Action.OpenUrl']).toContain(action.type);
      if (action.type === 'Action.Execute') expect(known).toContain(action.verb);
    }
    expect(stringsOf(templates[name]).filter((text) => text.includes('Action.Submit'))).toEqual([]);
  });

  it.each(cardNames)('%s wraps every text and keeps to at most 4 columns', (name) => {
    for (const block of ofType(templates[name], 'TextBlock')) expect(block, String(block.text)).toHaveProperty('wrap', true);
    for (const set of ofType(templates[name], 'ColumnSet')) expect((set.columns as unknown[]).length).toBeLessThanOrEqual(4);
  });

  it.each(cardNames)('%s has no backticks (the templating engine parses text as a template literal)', (name) => {
    expect(stringsOf(templates[name]).filter((text) => text.includes('`'))).toEqual([]);
  });

  it('use every verb somewhere', () => {
    const used = new Set(cardNames.flatMap((name) => actionsOf(templates[name]).map((a) => a.verb)));
    // Drawn from building blocks, not a template: the sign-in queue card's per-row "done"
    // (bot/views/sign-in-queue-view.ts; its card is checked in test/unit/bot/views/sign-in-queue-view.test.ts).
    used.add(verbs.signInQueueDone);
    for (const verb of Object.values(verbs)) expect(used, verb).toContain(verb);
  });

  it('name every input the verbs expect: account, mac, note', () => {
    const ids = cardNames.flatMap((name) => nodesOf(templates[name]).filter((n) => String(n.type).startsWith('Input.')).map((n) => n.id));
    expect(ids.sort()).toEqual(['account', 'mac', 'note']);
  });
});
