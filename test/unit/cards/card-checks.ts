// What the card tests check a rendered card with: the adaptivecards library's own parser,
// always, and the Adaptive Cards 1.5 JSON schema (read from ../shared, never copied into the
// project) when it is there or required (card-schema.ts says where and when).
import { createRequire } from 'node:module';
import { createSchemaCheck, noteSchemaSkipped, projectRoot, schemaPathFrom, schemaRequiredBy } from './card-schema.ts';

const require = createRequire(import.meta.url);
export { projectRoot };
export const schemaPath = schemaPathFrom(process.env);

/**
 * Schema violations of a card, as readable lines (empty when valid). Without the schema file:
 * empty, with one note for the run, or a thrown error saying where it was expected when
 * REQUIRE_CARD_SCHEMA is set.
 */
export const schemaErrors: (card: unknown) => string[] = createSchemaCheck({
  schemaPath,
  required: schemaRequiredBy(process.env),
  onSkip: (message) => noteSchemaSkipped(message),
});

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

/** What the parser and (when it is there) the schema find wrong with a card: empty when it is valid. */
export const cardProblems = (card: unknown): string[] => [...parserComplaints(card), ...schemaErrors(card)];

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
