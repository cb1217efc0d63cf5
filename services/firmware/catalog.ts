// The firmware catalog: model families, the minimum firmware each needs for remote
// provisioning, and releases per family and component. The shipped part is data
// (./catalog.json, each minimum with its date and source); releases admins add in chat or
// import are stored per tenant (./firmware-service.ts) and joined to it.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { canonicalVersion, parseVersion } from './versions.ts';

export const components = ['firmware', 'teams', 'companyPortal', 'adminAgent', 'partnerAgent'] as const;
export type Component = (typeof components)[number];

export const releaseLabels = ['verified', 'preview'] as const;
export type ReleaseLabel = (typeof releaseLabels)[number];

const versionText = z.string().refine((text) => parseVersion(text) !== null, 'expected a dotted version of numbers, e.g. 58.15.0.130');
const dayText = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD').refine((day) => !Number.isNaN(Date.parse(`${day}T00:00:00Z`)), 'not a calendar date');

const familySchema = z.object({
  id: z.string().regex(/^[a-z0-9-]{2,60}$/),
  manufacturer: z.string().min(1).max(60),
  name: z.string().min(1).max(100),
  kind: z.string().max(60).optional(),
  models: z.array(z.string().min(1).max(60)).min(1),
});

const minimumSchema = z.object({
  family: z.string(),
  component: z.enum(components).default('firmware'),
  version: versionText,
  date: dayText,
  source: z.string().min(1).max(500),
});

export const releaseSchema = z.object({
  /** A family id, the family's name, or a model as a device reports it. */
  family: z.string().min(1).max(100),
  component: z.enum(components),
  version: versionText,
  released: dayText,
  label: z.enum(releaseLabels),
  /** The version a device must run before this one can be installed (an intermediate step). */
  requires: versionText.optional(),
});

export const catalogFileSchema = z.object({
  about: z.string().optional(),
  manufacturers: z.record(z.string(), z.array(z.string())).optional(),
  families: z.array(familySchema).optional(),
  minimums: z.array(minimumSchema).optional(),
  releases: z.array(releaseSchema).max(5000).default([]),
});

export type ModelFamily = z.infer<typeof familySchema>;
export type MinimumRow = z.infer<typeof minimumSchema>;
export type CatalogRelease = z.infer<typeof releaseSchema>;

export interface Catalog {
  manufacturers: Record<string, string[]>;
  families: ModelFamily[];
  minimums: MinimumRow[];
  releases: CatalogRelease[];
}

function loadShipped(): Catalog {
  const raw: unknown = JSON.parse(readFileSync(new URL('./catalog.json', import.meta.url), 'utf8'));
  const parsed = catalogFileSchema.parse(raw);
  return { manufacturers: parsed.manufacturers ?? {}, families: parsed.families ?? [], minimums: parsed.minimums ?? [], releases: parsed.releases };
}

/** The catalog that ships with the bot. */
export const shippedCatalog: Catalog = loadShipped();

/** Letters and digits only, lower case: "Yealink  T56-A" → "yealinkt56a". */
const squeeze = (text: string) => text.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]/g, '');

export type ModelMatch =
  | { known: true; family: ModelFamily; how: string }
  | { known: false; why: string };

/** The catalog's manufacturer a reported name stands for ("Polycom" → "Poly"), or null. */
function manufacturerOf(catalog: Catalog, reported: string): string | null {
  const key = squeeze(reported);
  if (key === '') return null;
  for (const [name, aliases] of Object.entries(catalog.manufacturers)) {
    if ([name, ...aliases].some((alias) => squeeze(alias) === key)) return name;
  }
  for (const family of catalog.families) if (squeeze(family.manufacturer) === key) return family.manufacturer;
  return null;
}

/** The model without a leading manufacturer name ("Yealink T56A" → "t56a", and which manufacturer it named). */
function withoutManufacturer(catalog: Catalog, model: string): { key: string; named: string | null } {
  const key = squeeze(model);
  const names = Object.entries(catalog.manufacturers).flatMap(([name, aliases]) => [name, ...aliases].map((alias) => ({ name, alias: squeeze(alias) })));
  for (const family of catalog.families) names.push({ name: family.manufacturer, alias: squeeze(family.manufacturer) });
  // Longest alias first: "hppoly" before "hp".
  names.sort((a, b) => b.alias.length - a.alias.length);
  for (const { name, alias } of names) {
    if (alias !== '' && key.startsWith(alias) && key.length > alias.length) return { key: key.slice(alias.length), named: name };
  }
  return { key, named: null };
}

/**
 * Which family a device's manufacturer and model belong to, tolerantly and with the reason:
 * case, spaces and dashes do not matter, a leading manufacturer name is understood, and a
 * model is its catalog model plus a letter suffix ("T56A" is a T56). A model the catalog does
 * not know, or that could be either of two families, is said to be unknown: never guessed.
 */
export function matchModel(catalog: Catalog, manufacturer: string | null | undefined, model: string | null | undefined): ModelMatch {
  // Every provision matches its model twice (the firmware gate, the sign-in decision) and a fleet
  // has a few dozen models: matched once per catalog, then remembered (bounded). Catalogs with
  // releases joined share the shipped families and manufacturers, so they share the memo.
  let memo = matchMemo.get(catalog.families);
  if (!memo || memo.manufacturers !== catalog.manufacturers) {
    memo = { manufacturers: catalog.manufacturers, matches: new Map() };
    matchMemo.set(catalog.families, memo);
  }
  const key = `${manufacturer ?? ''}\u0000${model ?? ''}`;
  let match = memo.matches.get(key);
  if (!match) {
    if (memo.matches.size >= matchMemoLimit) memo.matches.clear();
    match = Object.freeze(matchModelAgain(catalog, manufacturer, model));
    memo.matches.set(key, match);
  }
  return match;
}

const matchMemo = new WeakMap<readonly ModelFamily[], { manufacturers: Catalog['manufacturers']; matches: Map<string, ModelMatch> }>();
/** Distinct (manufacturer, model) texts remembered per catalog; a device reporting random models cannot grow it past this. */
const matchMemoLimit = 5_000;

function matchModelAgain(catalog: Catalog, manufacturer: string | null | undefined, model: string | null | undefined): ModelMatch {
  const reportedModel = model?.trim() ?? '';
  if (reportedModel === '') return { known: false, why: 'the device reported no model' };
  const reportedMaker = manufacturer?.trim() ?? '';
  const maker = reportedMaker === '' ? null : manufacturerOf(catalog, reportedMaker);
  if (reportedMaker !== '' && !maker) return { known: false, why: `the catalog knows no manufacturer "${reportedMaker}"` };
  const stripped = withoutManufacturer(catalog, reportedModel);
  if (maker && stripped.named && stripped.named !== maker) {
    return { known: false, why: `the model "${reportedModel}" names ${stripped.named}, but the device reported ${maker} as its manufacturer` };
  }
  const madeBy = maker ?? stripped.named;
  const key = stripped.key;
  if (key === '') return { known: false, why: `"${reportedModel}" names no model` };
  const families = catalog.families.filter((family) => !madeBy || family.manufacturer === madeBy);

  // The family's own name or id, then its models exactly, then a model with a letter suffix.
  const byName = families.filter((family) => squeeze(family.id) === key || withoutManufacturer(catalog, family.name).key === key || squeeze(family.name) === key);
  const exact = families.filter((family) => family.models.some((candidate) => squeeze(candidate) === key));
  const suffixed = families.filter((family) => family.models.some((candidate) => {
    const base = squeeze(candidate);
    return base !== '' && key.startsWith(base) && /^[a-z]{1,4}$/.test(key.slice(base.length)) && /\d$/.test(base);
  }));
  const pick = [byName, exact, suffixed].find((found) => found.length > 0) ?? [];
  const ids = [...new Set(pick.map((family) => family.id))];
  if (ids.length === 1) {
    const family = pick[0]!;
    const how = pick === byName ? 'the catalog\'s name for it' : pick === exact ? 'a model of that family' : 'a model of that family with a letter suffix';
    const note = madeBy ? '' : ' (no manufacturer reported: the model alone names it)';
    return { known: true, family, how: `"${[reportedMaker, reportedModel].filter(Boolean).join(' ')}" is ${how}: ${family.name}${note}` };
  }
  if (ids.length > 1) {
    return { known: false, why: `"${reportedModel}" could be ${pick.map((family) => family.name).join(' or ')}; the manufacturer tells them apart` };
  }
  return { known: false, why: `the catalog knows no model "${[madeBy ?? reportedMaker, reportedModel].filter(Boolean).join(' ')}"${madeBy ? '' : ' (and no manufacturer was reported)'}` };
}

/** The minimum firmware of a family for remote provisioning, or null when the catalog has none. */
export function minimumOf(catalog: Catalog, familyId: string, component: Component = 'firmware'): MinimumRow | null {
  return catalog.minimums.find((row) => row.family === familyId && row.component === component) ?? null;
}

/**
 * The versions a catalog knows for a family and component (its releases and its minimum), in
 * canonical spelling: made once per catalog, family and component. The digest asks for every
 * model and version of a fleet (thousands of groups at 100,000 devices), and parsing every
 * release of the family again for each cost it about a tenth of its time.
 */
const knownVersionSets = new WeakMap<Catalog, Map<string, ReadonlySet<string>>>();

function knownVersionsOf(catalog: Catalog, familyId: string, component: Component): ReadonlySet<string> {
  let perFamily = knownVersionSets.get(catalog);
  if (!perFamily) knownVersionSets.set(catalog, (perFamily = new Map()));
  const key = `${familyId}\u0000${component}`;
  let known = perFamily.get(key);
  if (!known) {
    const minimum = minimumOf(catalog, familyId, component);
    const versions = [...(minimum ? [minimum.version] : []), ...catalog.releases.filter((release) => release.family === familyId && release.component === component).map((release) => release.version)];
    known = new Set(versions.map(canonicalVersion).filter((version): version is string => version !== null));
    perFamily.set(key, known);
  }
  return known;
}

/** Whether a reported version is one the catalog knows for the family (a release or the minimum); others are "unknown". */
export function isKnownVersion(catalog: Catalog, familyId: string, component: Component, version: string | null | undefined): boolean {
  const wanted = canonicalVersion(version);
  return wanted !== null && knownVersionsOf(catalog, familyId, component).has(wanted);
}
