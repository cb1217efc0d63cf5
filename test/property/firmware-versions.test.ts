// Versions compare numerically per dotted part, never as strings; what does not parse is unknown.
// Models match tolerantly (case, spaces, dashes, a manufacturer prefix, a letter suffix) and a
// model the catalog does not know is never guessed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchModel, shippedCatalog } from '../../services/firmware/catalog.ts';
import { firmwareReadiness } from '../../services/firmware/readiness.ts';
import { compareVersions, parseVersion } from '../../services/firmware/versions.ts';

const part = fc.nat({ max: 1_000_000 });
const version = fc.array(part, { minLength: 1, maxLength: 6 });
const dotted = (parts: readonly number[]) => parts.join('.');

/** The order of two part lists as numbers (the model of what compareVersions must do). */
function numericOrder(a: readonly number[], b: readonly number[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const diff = (a[index] ?? 0) - (b[index] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

describe('version comparison', () => {
  it('agrees with comparing the parts as numbers', () => {
    fc.assert(fc.property(version, version, (a, b) => compareVersions(dotted(a), dotted(b)) === numericOrder(a, b)));
  });

  it('is antisymmetric and reflexive', () => {
    fc.assert(fc.property(version, version, (a, b) => {
      expect(compareVersions(dotted(a), dotted(a))).toBe(0);
      expect(compareVersions(dotted(a), dotted(b))).toBe(-(compareVersions(dotted(b), dotted(a)) ?? 0) || 0);
    }));
  });

  it('is transitive', () => {
    fc.assert(fc.property(version, version, version, (a, b, c) => {
      const [x, y, z] = [a, b, c].map(dotted).sort((left, right) => compareVersions(left, right) ?? 0) as [string, string, string];
      return (compareVersions(x, y) ?? 0) <= 0 && (compareVersions(y, z) ?? 0) <= 0 && (compareVersions(x, z) ?? 0) <= 0;
    }));
  });

  it('ignores leading zeros and trailing .0 parts, and knows numbers longer than a double', () => {
    fc.assert(fc.property(version, fc.nat({ max: 3 }), (parts, zeros) => compareVersions(dotted(parts), `${parts.map((p) => `${'0'.repeat(zeros)}${p}`).join('.')}${'.0'.repeat(zeros)}`) === 0));
    expect(compareVersions('58.15.0.124', '58.15.0.1000')).toBe(-1);
    expect(compareVersions('1.004.0115', '1.4.115')).toBe(0);
    expect(compareVersions('1.99999999999999999999', '1.100000000000000000000')).toBe(-1);
  });

  it('parses a string it parsed before the same, as a frozen copy, also after more distinct versions than it keeps', () => {
    const first = parseVersion('v058.15.0.124');
    expect(first).toEqual(['58', '15', '0', '124']);
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => (first as string[]).push('1')).toThrow(TypeError);
    // More distinct versions than the kept parses (10,000): the cache starts over, answers stay right.
    for (let index = 0; index < 12_000; index++) expect(parseVersion(`1.${index}`)).toEqual(['1', String(index)]);
    expect(parseVersion('v058.15.0.124')).toEqual(['58', '15', '0', '124']);
    expect(parseVersion('58.15.x')).toBeNull();
    expect(parseVersion('58.15.x')).toBeNull();
  });

  it('calls anything that is not dotted numbers unknown (null), never ordered', () => {
    const notAVersion = fc.string({ maxLength: 20 }).filter((text) => !/^\s*v?\d+(\.\d+)*\s*$/i.test(text));
    fc.assert(fc.property(notAVersion, version, (bad, good) => {
      expect(parseVersion(bad)).toBeNull();
      expect(compareVersions(bad, dotted(good))).toBeNull();
      expect(compareVersions(dotted(good), bad)).toBeNull();
    }));
    for (const bad of ['', '58..15', '58.15.0.124-beta', '1.2.x', '.1', '1.']) expect(compareVersions(bad, '1')).toBeNull();
  });
});

/** Every way of writing a model that should still find its family. */
const spelling = fc.record({ upper: fc.boolean(), dash: fc.constantFrom('', '-', ' '), prefix: fc.boolean(), spaces: fc.constantFrom('', ' ', '  ') });

describe('model matching', () => {
  const everyModel = shippedCatalog.families.flatMap((family) => family.models.map((model) => ({ family, model })));

  it('finds each catalog model however it is spelled (case, dashes, spaces, a manufacturer prefix), with the reason', () => {
    fc.assert(fc.property(fc.constantFrom(...everyModel), spelling, ({ family, model }, how) => {
      let written = model.replace(/-/g, how.dash);
      written = how.upper ? written.toUpperCase() : written.toLowerCase();
      if (how.prefix) written = `${family.manufacturer}${how.spaces || ' '}${written}`;
      const match = matchModel(shippedCatalog, how.prefix ? null : family.manufacturer, `${how.spaces}${written}${how.spaces}`);
      expect(match.known, `${written}`).toBe(true);
      if (match.known) {
        expect(match.family.id).toBe(family.id);
        expect(match.how).toContain(family.name);
      }
    }));
  });

  it('a letter suffix is the same model ("T56A" is a T56), a digit suffix is not ("T560" is unknown)', () => {
    expect(matchModel(shippedCatalog, 'Yealink', 'T56A')).toMatchObject({ known: true, family: { id: 'yealink-t5x' } });
    expect(matchModel(shippedCatalog, null, 'Yealink T58W')).toMatchObject({ known: true, family: { id: 'yealink-t5x' } });
    expect(matchModel(shippedCatalog, 'Yealink', 'T560')).toMatchObject({ known: false });
    expect(matchModel(shippedCatalog, 'Yealink', 'T5')).toMatchObject({ known: false });
  });

  it('never guesses: random model names the catalog does not hold are unknown, with why', () => {
    const models = new Set(shippedCatalog.families.flatMap((family) => family.models.map((model) => model.toLowerCase().replace(/[^a-z0-9]/g, ''))));
    const unknownName = fc.stringMatching(/^[A-Z]{1,3}[0-9]{3,5}$/).filter((name) => ![...models].some((model) => name.toLowerCase().startsWith(model) || model.startsWith(name.toLowerCase())));
    fc.assert(fc.property(unknownName, fc.constantFrom(null, 'Yealink', 'Poly', 'Acme'), (model, maker) => {
      const match = matchModel(shippedCatalog, maker, model);
      expect(match.known).toBe(false);
      if (!match.known) expect(match.why.length).toBeGreaterThan(10);
    }));
  });

  it('a manufacturer that contradicts the model, or one the catalog does not know, is unknown', () => {
    expect(matchModel(shippedCatalog, 'Poly', 'T56A')).toMatchObject({ known: false });
    expect(matchModel(shippedCatalog, 'Acme', 'T56A')).toMatchObject({ known: false, why: expect.stringContaining('Acme') });
    expect(matchModel(shippedCatalog, 'Polycom', 'CCX 500')).toMatchObject({ known: true, family: { id: 'poly-ccx' } });
  });

  it('readiness: below, at and above the minimum, and unknown for unparseable versions and unknown models', () => {
    expect(firmwareReadiness({ manufacturer: 'Yealink', model: 'T56A', firmwareVersion: '58.15.0.100' })).toMatchObject({ state: 'below_minimum', minimum: '58.15.0.124', family: 'Yealink T55/T56/T58' });
    expect(firmwareReadiness({ manufacturer: 'Yealink', model: 'T56A', firmwareVersion: '58.15.0.124' })).toMatchObject({ state: 'ok' });
    expect(firmwareReadiness({ manufacturer: 'Yealink', model: 'T56A', firmwareVersion: '58.15.0.1000' })).toMatchObject({ state: 'ok' });
    expect(firmwareReadiness({ manufacturer: 'Yealink', model: 'T56A', firmwareVersion: '58.15.0.124-rc' })).toMatchObject({ state: 'unknown', minimum: '58.15.0.124' });
    expect(firmwareReadiness({ manufacturer: 'Acme', model: 'Phone 9', firmwareVersion: '1.0' })).toMatchObject({ state: 'unknown' });
    expect(firmwareReadiness({ manufacturer: 'Crestron', model: 'TSW-1070', firmwareVersion: '1.4.114' })).toMatchObject({ state: 'below_minimum', minimum: '1.004.0115' });
  });

  it('every minimum row of the shipped catalog names a family, a date and a source', () => {
    for (const row of shippedCatalog.minimums) {
      expect(shippedCatalog.families.some((family) => family.id === row.family), row.family).toBe(true);
      expect(row.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(row.source.length).toBeGreaterThan(10);
    }
    expect(shippedCatalog.minimums).toHaveLength(shippedCatalog.families.length);
  });
});
