// Cards read the same in Teams' light, dark and high-contrast themes, and call each device state
// by one name. Checked on the templates (every branch) and on every rendered sample card.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderCard } from '../../../cards/render.ts';
import { stateLabels } from '../../../services/devices/device-state.ts';
import { codeHandoffView } from '../../../bot/views/handoff-view.ts';
import { stateStyles } from '../../../bot/views/device-views.ts';
import { nodesOf, projectRoot, stringsOf, textsOf } from './card-checks.ts';
import * as s from './sample-views.ts';
import { allJobSamples } from './job-sample-views.ts';

const cardsDir = path.join(projectRoot, 'cards');
const templates = readdirSync(cardsDir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => [file, JSON.parse(readFileSync(path.join(cardsDir, file), 'utf8')) as unknown] as const);
const rendered = [...s.allSamples, ...allJobSamples].map((sample) => [`${sample.name} (${sample.label})`, renderCard(sample.name, sample.view as never)] as const);

/** Colours and boxes that are hard to read in one of Teams' themes. */
function unreadable(card: unknown): string[] {
  return nodesOf(card).flatMap((node) => {
    const found: string[] = [];
    // Teams' light theme draws "warning" text yellow (#f8d22a) on white.
    if (node.color === 'warning') found.push(`${String(node.type)} coloured warning: ${String(node.text ?? '')}`);
    if (node.type === 'Container' && (node.style === 'warning' || node.style === 'good')) found.push(`a ${String(node.style)} box`);
    return found;
  });
}

/** Other names once used for a state; each state has one name (services/devices/device-state.ts). */
const retiredStateNames = ['waiting for the code', 'waiting for their code', 'awaiting sign-in', 'awaiting activation', 'waiting for activation'];
const retiredIn = (texts: readonly string[]) => texts.filter((text) => retiredStateNames.some((name) => text.toLowerCase().includes(name)));

describe('readable in every Teams theme', () => {
  it.each(templates)('the %s template has no warning-coloured text, no warning or good boxes', (_, template) => {
    expect(unreadable(template)).toEqual([]);
  });

  it.each(rendered)('the %s card has none either', (_, card) => {
    expect(unreadable(card)).toEqual([]);
  });

  it('device states are drawn in colours that read', () => {
    expect(Object.values(stateStyles)).not.toContain('warning');
  });
});

describe('one name per device state', () => {
  it.each(templates)('the %s template uses no other name for a state', (_, template) => {
    expect(retiredIn(stringsOf(template))).toEqual([]);
  });

  it.each(rendered)('the %s card uses no other name for a state', (_, card) => {
    expect(retiredIn([...textsOf(card), String((card as { fallbackText?: string }).fallbackText ?? '')])).toEqual([]);
  });

  it('the views write no other name for a state', () => {
    const viewsDir = path.join(projectRoot, 'bot', 'views');
    for (const file of readdirSync(viewsDir)) expect(retiredIn([readFileSync(path.join(viewsDir, file), 'utf8')]), file).toEqual([]);
  });

  it('the hand-off names a device whose code is not used yet as its state is named everywhere', () => {
    const view = codeHandoffView(
      {
        batchId: 'b',
        issuedByName: 'Megan Bowen',
        expiresAt: new Date('2026-11-24T09:00:00Z'),
        devices: [{ mac: '00-04-F2-81-24-B3', location: 'Lobby', code: '123456', codeStatus: 'live', state: 'code_issued', mark: null }],
      } as never,
      'UTC',
    );
    expect(view.locations[0]!.devices[0]).toMatchObject({ status: stateLabels.code_issued, statusStyle: 'default' });
  });
});
