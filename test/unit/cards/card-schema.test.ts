// The card checks where ../shared is missing: on a fresh clone the parser still checks every
// card and the schema assertions are skipped with one note; in CI (REQUIRE_CARD_SCHEMA) a
// missing schema fails them, saying where it was expected.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createSchemaCheck,
  defaultSchemaPath,
  noteSchemaSkipped,
  projectRoot,
  requireSchemaVariable,
  schemaNoteDirVariable,
  schemaNoteFile,
  schemaPathFrom,
  schemaPathVariable,
  schemaRequiredBy,
} from './card-schema.ts';

const header = { type: 'AdaptiveCard', version: '1.5', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json' };
const validCard = { ...header, body: [{ type: 'TextBlock', text: 'Hello', wrap: true }] };
/** Broken in a way the parser sees: a size Adaptive Cards does not have. */
const brokenCard = { ...header, body: [{ type: 'TextBlock', text: 'Hello', size: 'gigantic' }] };

let dir: string;
let missing: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'card-schema-test-'));
  missing = path.join(dir, 'nowhere', 'adaptive-card-1.5.json');
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe('where the schema is looked for', () => {
  it('is ../shared/schemas/adaptive-card-1.5.json beside the checkout unless CARD_SCHEMA_PATH says otherwise', () => {
    expect(schemaPathVariable).toBe('CARD_SCHEMA_PATH');
    expect(schemaPathFrom({})).toBe(path.resolve(projectRoot, '..', 'shared', 'schemas', 'adaptive-card-1.5.json'));
    expect(schemaPathFrom({ CARD_SCHEMA_PATH: '' })).toBe(defaultSchemaPath);
    expect(schemaPathFrom({ CARD_SCHEMA_PATH: '/nonexistent' })).toBe('/nonexistent');
    expect(schemaPathFrom({ CARD_SCHEMA_PATH: 'schemas/card.json' })).toBe(path.join(projectRoot, 'schemas', 'card.json'));
  });

  it('is required when REQUIRE_CARD_SCHEMA is set to anything but 0 or false', () => {
    expect(requireSchemaVariable).toBe('REQUIRE_CARD_SCHEMA');
    expect(schemaRequiredBy({})).toBe(false);
    for (const off of ['', '0', 'false', ' FALSE ']) expect(schemaRequiredBy({ REQUIRE_CARD_SCHEMA: off }), off).toBe(false);
    for (const on of ['1', 'true', 'yes']) expect(schemaRequiredBy({ REQUIRE_CARD_SCHEMA: on }), on).toBe(true);
  });
});

describe('a schema check without its schema file', () => {
  it('finds nothing and says once, naming the file, that the schema check was not run', () => {
    const onSkip = vi.fn();
    const check = createSchemaCheck({ schemaPath: missing, required: false, onSkip });
    expect(check(validCard)).toEqual([]);
    expect(check({ type: 'NotACard' })).toEqual([]);
    expect(check(brokenCard)).toEqual([]);
    expect(onSkip).toHaveBeenCalledTimes(1);
    expect(onSkip.mock.calls[0]![0]).toContain(`expected at ${missing}`);
    expect(onSkip.mock.calls[0]![0]).toContain('schema check was not run');
  });

  it('fails when the schema is required, saying where the file was expected', () => {
    const onSkip = vi.fn();
    const check = createSchemaCheck({ schemaPath: missing, required: true, onSkip });
    expect(() => check(validCard)).toThrow(`expected at ${missing}`);
    expect(() => check(validCard)).toThrow(/REQUIRE_CARD_SCHEMA is set/);
    expect(onSkip).not.toHaveBeenCalled();
  });
});

describe('a schema check with its schema file', () => {
  it('reports violations (any draft-06 schema file will do, so this needs nothing beside the checkout)', () => {
    const schemaPath = path.join(dir, 'schema.json');
    writeFileSync(
      schemaPath,
      JSON.stringify({
        $schema: 'http://json-schema.org/draft-06/schema#',
        id: 'http://example.test/card.json',
        type: 'object',
        required: ['type', 'version'],
        properties: { type: { const: 'AdaptiveCard' } },
      }),
    );
    const onSkip = vi.fn();
    const check = createSchemaCheck({ schemaPath, required: true, onSkip });
    expect(check(validCard)).toEqual([]);
    expect(check({ type: 'NotACard' }).join('\n')).toMatch(/version|constant/);
    expect(onSkip).not.toHaveBeenCalled();
  });
});

describe('the run note', () => {
  it("is left in the global setup's directory, for its teardown to print once", () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    noteSchemaSkipped('not run: no schema', { [schemaNoteDirVariable]: dir });
    noteSchemaSkipped('not run: no schema', { [schemaNoteDirVariable]: dir });
    expect(readFileSync(path.join(dir, schemaNoteFile), 'utf8')).toBe('not run: no schema');
    expect(warn).not.toHaveBeenCalled();
  });

  it('is printed by the worker when there is no global setup', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    noteSchemaSkipped('not run: no schema', {});
    expect(warn).toHaveBeenCalledWith('not run: no schema');
  });
});

// card-checks.ts as the card tests use it, loaded afresh with CARD_SCHEMA_PATH pointing nowhere.
async function cardChecksWith(env: Record<string, string>): Promise<typeof import('./card-checks.ts')> {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  return import('./card-checks.ts');
}

describe('the card checks with CARD_SCHEMA_PATH pointing at a missing file', () => {
  it('without REQUIRE_CARD_SCHEMA: skip the schema assertions with one note, and still fail a broken card by the parser', async () => {
    const noteDir = path.join(dir, 'notes');
    mkdirSync(noteDir);
    const checks = await cardChecksWith({ CARD_SCHEMA_PATH: missing, REQUIRE_CARD_SCHEMA: '', [schemaNoteDirVariable]: noteDir });
    expect(checks.schemaPath).toBe(missing);
    expect(checks.schemaErrors(validCard)).toEqual([]);
    expect(checks.cardProblems(validCard)).toEqual([]);
    expect(checks.cardProblems(brokenCard)).toEqual(['parse: Invalid value "gigantic" for property "size".']);
    expect(readFileSync(path.join(noteDir, schemaNoteFile), 'utf8')).toContain(`expected at ${missing}`);
  });

  it('with REQUIRE_CARD_SCHEMA=1: fail every schema check, saying where the file was expected', async () => {
    const checks = await cardChecksWith({ CARD_SCHEMA_PATH: missing, REQUIRE_CARD_SCHEMA: '1', [schemaNoteDirVariable]: dir });
    expect(() => checks.schemaErrors(validCard)).toThrow(`The Adaptive Card 1.5 JSON schema was expected at ${missing}`);
    expect(() => checks.cardProblems(validCard)).toThrow(/REQUIRE_CARD_SCHEMA is set/);
    expect(existsSync(path.join(dir, schemaNoteFile))).toBe(false);
  });
});
