// What the card tests check a rendered card with: the Adaptive Cards 1.5 JSON schema (read from
// ../shared, never copied into the project) and the adaptivecards library's own parser.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const schemaPath = path.resolve(projectRoot, '..', 'shared', 'schemas', 'adaptive-card-1.5.json');

let validate: ValidateFunction | undefined;

/** Schema violations of a card, as readable lines (empty when valid). */
export function schemaErrors(card: unknown): string[] {
  if (!validate) {
    // The schema is draft-06; Ajv 8 knows draft-07 and later unless given the draft-06 meta-schema.
    // Formats ("uri", "uri-reference") are not validated: that needs ajv-formats, and the
    // adaptivecards parser checks the one URL we emit.
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as object);
    // Its top-level "id" is draft-04 spelling, which Ajv 8 rejects: renamed to "$id" in memory.
    const { id, ...schema } = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
    validate = ajv.compile({ ...schema, $id: id as string });
  }
  if (validate(card)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

interface ValidationEventLike {
  event: number;
  message: string;
}
interface AdaptiveCardsModule {
  AdaptiveCard: new () => {
    parse(json: unknown, context?: unknown): void;
    validateProperties(): { validationEvents: ValidationEventLike[] };
  };
  SerializationContext: new (version?: unknown) => { eventCount: number; getEventAt(i: number): ValidationEventLike };
  Versions: { v1_5: unknown };
}

// The package's default entry needs a DOM; its UMD bundle parses and validates cards in Node.
const AC = require('adaptivecards/dist/adaptivecards.js') as AdaptiveCardsModule;

/** Everything the adaptivecards library complains about while parsing and validating a card. */
export function parserComplaints(card: unknown): string[] {
  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  parsed.parse(card, context);
  const complaints: string[] = [];
  for (let i = 0; i < context.eventCount; i++) complaints.push(`parse: ${context.getEventAt(i).message}`);
  for (const e of parsed.validateProperties().validationEvents) complaints.push(`validate: ${e.message}`);
  return complaints;
}

export type Node = Record<string, unknown>;

/** Every object in a card (elements, columns, facts, actions, inline runs), depth first. */
export function nodesOf(value: unknown): Node[] {
  if (Array.isArray(value)) return value.flatMap(nodesOf);
  if (value !== null && typeof value === 'object') {
    return [value as Node, ...Object.values(value).flatMap(nodesOf)];
  }
  return [];
}

export const ofType = (card: unknown, type: string): Node[] => nodesOf(card).filter((n) => n.type === type);

export const actionsOf = (card: unknown): Node[] =>
  nodesOf(card).filter((n) => typeof n.type === 'string' && n.type.startsWith('Action.'));

/** The text of every TextBlock and TextRun, in order. */
export const textsOf = (card: unknown): string[] =>
  nodesOf(card)
    .filter((n) => n.type === 'TextBlock' || n.type === 'TextRun')
    .map((n) => String(n.text));

/** Every string anywhere in a card. */
export function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsOf);
  return [];
}

export const factsOf = (card: unknown): [string, string][] =>
  ofType(card, 'FactSet').flatMap((set) => (set.facts as Node[]).map((f) => [String(f.title), String(f.value)] as [string, string]));
