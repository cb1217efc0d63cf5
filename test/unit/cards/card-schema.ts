// Where the card tests find the Adaptive Cards 1.5 JSON schema, and what they do without it.
// The schema lives in ../shared (beside the checkout, never copied into the project), so a
// fresh clone has none: there the schema assertions are skipped with one note for the run,
// and every card is still checked by the adaptivecards parser. CI sets REQUIRE_CARD_SCHEMA,
// under which a missing schema fails the schema checks instead of passing them unseen.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Overrides where the schema is read from (relative paths are from the project root). */
export const schemaPathVariable = 'CARD_SCHEMA_PATH';
/** When set (to anything but "0" or "false"), a missing schema fails the schema checks. */
export const requireSchemaVariable = 'REQUIRE_CARD_SCHEMA';
/** Set by test/global-setup/card-schema-note.ts: where workers leave the run's skip note. */
export const schemaNoteDirVariable = 'CARD_SCHEMA_NOTE_DIR';
export const schemaNoteFile = 'schema-check-skipped.txt';

export const defaultSchemaPath = path.resolve(projectRoot, '..', 'shared', 'schemas', 'adaptive-card-1.5.json');

type Env = Record<string, string | undefined>;

export function schemaPathFrom(env: Env): string {
  const configured = env[schemaPathVariable];
  return configured ? path.resolve(projectRoot, configured) : defaultSchemaPath;
}

export function schemaRequiredBy(env: Env): boolean {
  const value = (env[requireSchemaVariable] ?? '').trim().toLowerCase();
  return value !== '' && value !== '0' && value !== 'false';
}

export function missingSchemaMessage(schemaPath: string, required: boolean): string {
  const where = `The Adaptive Card 1.5 JSON schema was expected at ${schemaPath} (${schemaPathVariable}, default ../shared/schemas/adaptive-card-1.5.json) and is not there`;
  return required
    ? `${where}; ${requireSchemaVariable} is set, so the schema check may not be skipped.`
    : `${where}: the cards' schema check was not run (the adaptivecards parser checks still ran). CI runs it (${requireSchemaVariable}=1 in .ci/run).`;
}

export interface SchemaCheckOptions {
  schemaPath: string;
  required: boolean;
  /** Told, once per check, that the schema assertions are being skipped, and why. */
  onSkip: (message: string) => void;
}

/**
 * A function giving a card's schema violations as readable lines (empty when valid). Without
 * the schema file it returns no violations after telling onSkip once, or, when the schema is
 * required, throws saying where the file was expected.
 */
export function createSchemaCheck({ schemaPath, required, onSkip }: SchemaCheckOptions): (card: unknown) => string[] {
  let validate: ValidateFunction | undefined;
  let skipNoted = false;
  return (card) => {
    if (!validate) {
      if (!existsSync(schemaPath)) {
        if (required) throw new Error(missingSchemaMessage(schemaPath, true));
        if (!skipNoted) onSkip(missingSchemaMessage(schemaPath, false));
        skipNoted = true;
        return [];
      }
      validate = compileSchema(schemaPath);
    }
    if (validate(card)) return [];
    return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  };
}

function compileSchema(schemaPath: string): ValidateFunction {
  // The schema is draft-06; Ajv 8 knows draft-07 and later unless given the draft-06 meta-schema.
  // Formats ("uri", "uri-reference") are not validated: that needs ajv-formats, and the
  // adaptivecards parser checks the one URL we emit.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as object);
  // Its top-level "id" is draft-04 spelling, which Ajv 8 rejects: renamed to "$id" in memory.
  const { id, ...schema } = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
  return ajv.compile({ ...schema, $id: id as string });
}

/**
 * The run's note that the schema check was skipped. Under the global setup every worker
 * writes the same file and the setup's teardown prints it once for the whole run; without
 * it (a run with another config), this worker prints it once.
 */
export function noteSchemaSkipped(message: string, env: Env = process.env): void {
  const dir = env[schemaNoteDirVariable];
  if (dir && existsSync(dir)) writeFileSync(path.join(dir, schemaNoteFile), message);
  else console.warn(message);
}
