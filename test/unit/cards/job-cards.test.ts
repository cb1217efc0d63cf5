// The scheduled jobs' cards (digest, expiry warning, expiry summary, stale devices), drawn from
// their views as the chat layer builds them, held to the same rules as every other card.
import { describe, expect, it } from 'vitest';
import { bar, barWidth, digestView, formatDay } from '../../../bot/views/digest-view.ts';
import type { Digest } from '../../../services/reporting/digest.ts';
import { formatDuration } from '../../../bot/views/job-views.ts';
import { type AdaptiveCard, renderCard } from '../../../cards/render.ts';
import { verbs } from '../../../bot/actions/verbs.ts';
import type { CardName } from '../../../cards/template-data.ts';
import { actionsOf, factsOf, ofType, textsOf } from './card-checks.ts';
import { batchId, counts, digestOf, hourMs, jobSamples as s, mac, macs, zone } from './job-sample-views.ts';
import type { Sample } from './sample-views.ts';

const render = <K extends CardName>(sample: Sample<K>): AdaptiveCard => renderCard(sample.name, sample.view);

// The checks every card gets (schema, parser, no template syntax left, fallback text) run on
// these samples in render.test.ts, which lists them in allSamples; here: what each job card says.

describe('digest', () => {
  const card = render(s.digest1000);
  const texts = textsOf(card);

  it('heads with the local date, how many devices and as of when', () => {
    expect(texts[0]).toBe('Daily digest — Tue 24 Nov 2026');
    expect(texts[1]).toBe('1,000 devices · as of Tue 24 Nov, 08:00 CET');
    expect(card.fallbackText).toContain('Daily digest — Tue 24 Nov 2026. 1,000 devices: 100 registered, 200 waiting on activation');
  });

  it('draws the pipeline as one row per state: label, a bar as long as its count against the largest, the count', () => {
    const rows = ofType(card, 'ColumnSet').filter((set) => textsOf(set).some((text) => /^[█·]+$/.test(text)));
    expect(rows.map((row) => textsOf(row))).toEqual([
      ['Registered', '██', '100'],
      ['Waiting on activation', '█████', '200'],
      ['Waiting for sign-in', '████', '150'],
      ['Signing in', '█', '50'],
      ['Signed in', '████████████', '500'],
    ]);
    const bars = rows.map((row) => ofType(row, 'TextBlock')[1]);
    expect(bars.every((block) => block?.fontType === 'monospace')).toBe(true);
    expect(bars.map((block) => block?.color)).toEqual(['default', 'default', 'accent', 'accent', 'good']);
  });

  /** Each location as [name, counts]: a bold line, and the counts on a line of their own. */
  const locationsOf = (digestCard: unknown) =>
    ofType(digestCard, 'Container')
      .filter((box) => !box.separator && textsOf(box).length === 2 && textsOf(box)[0]!.startsWith('Building'))
      .map((box) => textsOf(box));

  it('lists the locations with their counts per state, furthest along first, saying they count devices', () => {
    const locations = locationsOf(card);
    expect(locations).toHaveLength(10);
    expect(locations[0]).toEqual(['Building 1 — Floor 1', '100 devices: 50 signed in, 5 signing in, 15 waiting for sign-in, 20 waiting on activation, 10 registered']);
    expect(texts.some((text) => text.includes('more location'))).toBe(false);
  });

  it('shows the top 10 locations and how many more there are', () => {
    const many = render(s.digestManyLocations);
    expect(locationsOf(many)).toHaveLength(10);
    expect(textsOf(many)).toContain('…and 15 more locations. Type "list location NAME" for one.');
  });

  it('shows progress apart from what needs attention: sign-ins are good news', () => {
    const sections = ofType(card, 'Container').filter((box) => ofType(box, 'FactSet').length > 0);
    expect(sections.map((box) => [textsOf(box)[0], factsOf(box)])).toEqual([
      [
        'Progress',
        [
          ['Signed in since the last digest', '120 (since Mon 23 Nov, 08:00 CET)'],
          ['Median time to signed in (7 days)', '3 h 20 min (480 devices)'],
        ],
      ],
      [
        'Needs attention',
        [
          ['Codes expiring in 24 h', '200: 20 at Building 1 — Floor 1 · 20 at Building 1 — Floor 2 · 20 at Building 1 — Floor 3 · …'],
          ['Stuck before sign-in > 24 h', '200'],
          ['Lockouts in 24 h', '12'],
          ['Firmware', '3 below the minimum · 12 unknown versions · 40 updates available'],
        ],
      ],
    ]);
  });

  it('never lets a count run into a location name that ends in a number', () => {
    const floor2 = { location: 'Building A Floor 2', total: 1, byState: { ...counts({}), code_issued: 1 } };
    const view = digestView(
      { ...digestOf(1, 1), locations: [floor2], expiring: { count: 1, byLocation: [{ location: 'Building A Floor 2', count: 1 }] } } as Digest,
      zone,
    );
    expect(view.locations).toEqual([{ name: 'Building A Floor 2', counts: '1 device: 1 waiting on activation' }]);
    expect(view.attention[0]).toEqual({ title: 'Codes expiring in 24 h', value: '1: 1 at Building A Floor 2' });
    expect(JSON.stringify(view)).not.toContain('Floor 2 1');
  });

  it('lists the 10 devices stuck longest with their age, then how many more', () => {
    expect(texts).toContain('Stuck before sign-in for more than 24 h');
    const stuckRows = ofType(card, 'ColumnSet').filter((set) => textsOf(set).some((text) => /^00-04-F2/.test(text)));
    expect(stuckRows).toHaveLength(10);
    expect(textsOf(stuckRows[0])).toEqual(['00-04-F2-00-00-01', 'Building 1 — Floor 1 · signing in', '3 d']);
    expect(texts).toContain('…and 190 more. Type "list awaiting" to see them all.');
  });

  it('names the MACs locked out, 10 and how many more', () => {
    expect(texts).toContain(`${macs(12).map((_, i) => mac(900 + i)).slice(0, 10).join(', ')} and 2 more`);
  });

  it('for a tenant without devices: empty bars, no locations, nothing stuck, no sign-ins', () => {
    const empty = render(s.digestEmpty);
    const emptyTexts = textsOf(empty);
    expect(emptyTexts).toContain('No devices registered yet.');
    expect(emptyTexts.filter((text) => text === '·')).toHaveLength(5);
    expect(emptyTexts).not.toContain('Stuck before sign-in for more than 24 h');
    expect(emptyTexts).not.toContain('Locked out after wrong codes (24 h)');
    expect(factsOf(empty)).toEqual([
      ['Signed in since Mon 23 Nov, 08:00 CET', '0'],
      ['Median time to signed in (7 days)', 'no sign-ins'],
      ['Codes expiring in 24 h', 'none'],
      ['Stuck before sign-in > 24 h', 'none'],
      ['Lockouts in 24 h', 'none'],
      ['Firmware', '0 below the minimum · 0 unknown versions · 0 updates available'],
    ]);
    expect(empty.fallbackText).toContain('0 devices. 0 signed in since');
  });
});

describe('expiryWarning', () => {
  it("the issuing admin's copy: how many, where, when (and in how long), the MACs, and a Regenerate codes button", () => {
    const card = render(s.warningAdmin);
    const texts = textsOf(card);
    expect(texts[0]).toBe('25 codes expire in 4 h');
    expect(texts[1]).toBe('25 codes at Lobby expire at Tue 24 Nov, 12:00 CET (in 4 h). The devices have not been provisioned yet.');
    expect(texts.filter((text) => /^00-04-F2/.test(text))).toEqual(macs(20));
    expect(texts).toContain('…and 5 more.');
    expect(texts.some((text) => text.startsWith('Codes cannot be extended. Regenerate them instead'))).toBe(true);
    expect(actionsOf(card).map(({ type, title, verb, data }) => ({ type, title, verb, data }))).toEqual([
      { type: 'Action.Execute', title: 'Regenerate codes', verb: verbs.regenerateCodes, data: { batchId, location: 'Lobby' } },
    ]);
    expect(card.fallbackText).toBe('25 codes at Lobby expire at Tue 24 Nov, 12:00 CET (in 4 h). The devices have not been provisioned yet. Codes cannot be extended: regenerate them instead.');
  });

  it("the technicians' copy has no button (regenerating is for admins) and says who can", () => {
    const card = render(s.warningTechnicians);
    expect(actionsOf(card)).toEqual([]);
    expect(textsOf(card)).toContain('An admin can regenerate them from their copy of this warning.');
    expect(textsOf(card).some((text) => text.includes('more.'))).toBe(false);
  });

  it('for devices without a location the button sends an empty location; one code reads in the singular', () => {
    const card = render(s.warningNoLocation);
    expect(textsOf(card)[1]).toBe('1 code without a location expires at Tue 24 Nov, 12:00 CET (in 4 h). The device has not been provisioned yet.');
    expect(actionsOf(card)[0]?.data).toEqual({ batchId, location: '' });
  });

  it('delivered late, it says the codes expired rather than "in -1 min"', () => {
    const texts = textsOf(render(s.warningLate));
    expect(texts[0]).toBe('2 codes expired');
    expect(texts[1]).toContain('expired at Tue 24 Nov, 07:59 CET');
  });
});

describe('expirySummary', () => {
  it('a few codes: the MACs and the exact command to issue new ones', () => {
    const card = render(s.summaryFew);
    const texts = textsOf(card);
    expect(texts[0]).toBe('3 codes expired');
    expect(texts[1]).toBe('Nobody used them in time: these devices are back to registered and need a new code.');
    expect(texts).toContain(`codes ${macs(3).join(' ')}`);
    expect(actionsOf(card)).toEqual([]);
  });

  it('many codes: the first 20 MACs, how many more, and "codes all"', () => {
    const texts = textsOf(render(s.summaryMany));
    expect(texts.filter((text) => /^00-04-F2/.test(text))).toEqual(macs(20));
    expect(texts).toContain('…and 25 more.');
    expect(texts).toContain('codes all');
  });
});

describe('staleDevices', () => {
  it('lists the devices oldest first, with how long they have been waiting and a Sign in button each', () => {
    const card = render(s.staleFew);
    const texts = textsOf(card);
    expect(texts[0]).toBe('2 devices waiting for sign-in for more than 24 h');
    expect(texts).toEqual(expect.arrayContaining([mac(1), 'No location', 'waiting since Sun 22 Nov, 06:00 CET (2 d 2 h)', mac(2), 'Lobby']));
    expect(texts.indexOf(mac(1))).toBeLessThan(texts.indexOf(mac(2)));
    expect(actionsOf(card).map(({ title, verb, data }) => ({ title, verb, data }))).toEqual([
      { title: 'Sign in', verb: verbs.signIn, data: { mac: mac(1) } },
      { title: 'Sign in', verb: verbs.signIn, data: { mac: mac(2) } },
    ]);
    expect(texts.some((text) => text.includes('signin MAC [account]'))).toBe(true);
  });

  it('shows at most 10 and how many more', () => {
    const card = render(s.staleMany);
    expect(actionsOf(card)).toHaveLength(10);
    expect(textsOf(card)).toContain('…and 4 more. Type "list awaiting" to see them all.');
  });
});

describe('view helpers', () => {
  it.each([
    [0, 'under a minute'],
    [29_000, 'under a minute'],
    [45 * 60_000, '45 min'],
    [4 * hourMs, '4 h'],
    [4 * hourMs - 20_000, '4 h'],
    [3 * hourMs + 20 * 60_000, '3 h 20 min'],
    [50 * hourMs, '2 d 2 h'],
    [72 * hourMs, '3 d'],
  ])('formatDuration(%i) is "%s"', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('a bar is as long as its count against the largest, at least one block for one device, a dot for none', () => {
    expect(bar(500, 500)).toHaveLength(barWidth);
    expect(bar(250, 500)).toBe('█'.repeat(6));
    expect(bar(1, 1000)).toBe('█');
    expect(bar(0, 1000)).toBe('·');
    expect(bar(0, 0)).toBe('·');
  });

  it('formats a local day with its weekday', () => {
    expect(formatDay('2026-10-25')).toBe('Sun 25 Oct 2026');
    expect(formatDay('2026-11-24')).toBe('Tue 24 Nov 2026');
  });
});
