// Users' and devices' text on cards shows as typed: Teams reads TextBlocks and facts as
// markdown, so the renderer escapes them (issue 12, item 8).
import { describe, expect, it } from 'vitest';
import { literalMarkdown } from '../../../../bot/teams/literal-markdown.ts';
import { renderView } from '../../../../bot/teams/render-view.ts';
import { unknownCommand } from '../../../../bot/commands/router.ts';
import { commands } from '../../../../bot/commands/index.ts';
import { instant, view } from '../../../../bot/views/reply.ts';
import { problemReportedView } from '../../../../bot/views/problem-view.ts';
import { cardTexts } from '../../../helpers/card-text.ts';
import { cardProblems } from '../../cards/card-checks.ts';

const link = '[click](https://evil.example)';
const escapedLink = '\\[click\\](https://evil.example)';

/** Every TextBlock text and fact value of a card, as sent to Teams (escapes included). */
function rawTexts(card: unknown): string[] {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record.type === 'TextBlock' && typeof record.text === 'string') found.push(record.text);
    if (typeof record.value === 'string' && typeof record.title === 'string' && !('type' in record)) found.push(record.value);
    Object.values(record).forEach(walk);
  };
  walk(card);
  return found;
}

describe('literalMarkdown', () => {
  it.each([
    [link, escapedLink],
    ['**urgent**', '\\*\\*urgent\\*\\*'],
    // What Teams' card markdown does not act on (code, strike-through, autolinks, images, headings, tables) is left as typed.
    ['_x_ `code` ~~no~~ <https://a.example> ![i](u) # h | t', '\\_x\\_ `code` ~~no~~ <https://a.example> !\\[i\\](u) # h | t'],
    ['lobby_phone_1@contoso.com stays copyable', 'lobby_phone_1@contoso.com stays copyable'],
    ['- item\n+ item\n1. item', '\\- item\n\\+ item\n1\\. item'],
    ['back\\slash', 'back\\\\slash'],
    ['Lobby 2-B, Floor 1. East', 'Lobby 2-B, Floor 1. East'],
  ])('%j shows as typed', (text, escaped) => {
    expect(literalMarkdown(text)).toBe(escaped);
  });
});

describe('user text on Teams cards', () => {
  it('a location with a markdown link shows as typed on a status card, and the button data keeps the real value', () => {
    const at = instant(new Date('2026-11-23T09:00:00Z'), 'UTC');
    const card = renderView(
      view('deviceStatus', { mac: '00-04-F2-81-24-B3', location: link, model: null, firmwareVersion: null, state: 'Registered', stateSince: at, account: null, timeline: [{ at, text: `Ada moved the device to ${link}` }] }),
    );
    expect(cardProblems(card)).toEqual([]);
    expect(rawTexts(card)).toContain(escapedLink);
    expect(rawTexts(card).some((text) => text.includes(link))).toBe(false);
    expect(cardTexts(card)).toContain(link);
  });

  it('a problem note **urgent** and its location show literally', () => {
    const card = renderView(view('blocks', problemReportedView({ mac: '00-04-F2-81-24-B3', location: link, technician: 'Tom', note: '**urgent**' })));
    const raw = rawTexts(card).join('\n');
    expect(raw).toContain('\\*\\*urgent\\*\\*');
    expect(raw).not.toMatch(/(^|[^\\])\*\*urgent/);
    expect(raw).not.toContain(link);
  });

  it('the echo of an unknown command shows literally', () => {
    const reply = unknownCommand(link, '', commands);
    const card = renderView(reply.view!);
    expect(rawTexts(card).join('\n')).toContain(escapedLink);
    expect(rawTexts(card).join('\n')).not.toContain(link);
  });

  it("the times the renderer writes stay Teams' date functions", () => {
    const at = instant(new Date('2026-11-23T09:00:00Z'), 'UTC');
    const card = renderView(view('deviceStatus', { mac: 'AA', location: 'Lobby', model: null, firmwareVersion: null, state: 'Registered', stateSince: at, account: null, timeline: [{ at, text: 'x' }] }));
    expect(JSON.stringify(card)).toContain('{{DATE(2026-11-23T09:00:00Z, SHORT)}}');
  });
});
