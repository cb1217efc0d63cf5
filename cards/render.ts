// Fills a card template (cards/<name>.json) from its view. Data in, JSON out: the only I/O is
// reading each template once, on first use.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
// The engine's own module, not the package root: the root also re-exports json-schema-card,
// whose typings import adaptivecards' TypeScript sources, which then fail this project's
// type check (verbatimModuleSyntax). The package has no "exports" map, so this path is public.
import type * as ACData from 'adaptivecards-templating/lib/template-engine.js';
import { findUnresolved, shieldDollars, unshieldDollars } from './literal-text.ts';
import type { AdaptiveCard, CardName, CardViews } from './template-data.ts';

export type { AdaptiveCard, CardName, CardViews } from './template-data.ts';

// A Record over CardName makes the compiler insist on every card being listed here.
const cardNameSet: Record<CardName, true> = {
  help: true,
  commandError: true,
  importResult: true,
  codeHandoff: true,
  awaitingSignIn: true,
  signInProgress: true,
  deviceStatus: true,
  deviceList: true,
  confirm: true,
  notice: true,
  digest: true,
  expiryWarning: true,
  expirySummary: true,
  staleDevices: true,
};

/** Every card there is a template for. */
export const cardNames = Object.freeze(Object.keys(cardNameSet) as CardName[]);

const templates = new Map<CardName, ACData.Template>();

let engine: typeof ACData | undefined;
/**
 * The templating engine, loaded on the first card drawn rather than at start-up: with the
 * expression language under it, it is the largest package the bot loads (a third of a second
 * of start-up), and a bot answers /readyz, devices and Slack without drawing a Teams card.
 */
function templateEngine(): typeof ACData {
  engine ??= createRequire(import.meta.url)('adaptivecards-templating/lib/template-engine.js') as typeof ACData;
  return engine;
}

function templateFor(name: CardName): ACData.Template {
  let template = templates.get(name);
  if (!template) {
    if (!Object.hasOwn(cardNameSet, name)) throw new Error(`There is no card called "${name}".`);
    const json: unknown = JSON.parse(readFileSync(new URL(`./${name}.json`, import.meta.url), 'utf8'));
    // Template parses every binding up front; expand() is synchronous, so one instance per
    // card can serve every render.
    template = new (templateEngine().Template)(json);
    templates.set(name, template);
  }
  return template;
}

/**
 * The card `name` drawn from `view`. Throws if the template leaves a binding unresolved (a
 * missing or null field the template does not guard): such a card is a bug, never shown.
 */
export function renderCard<K extends CardName>(name: K, view: CardViews[K]): AdaptiveCard {
  let expanded: unknown;
  try {
    expanded = templateFor(name).expand({ $root: shieldDollars(view) });
  } catch (cause) {
    throw new Error(`Card "${name}" could not be rendered: ${(cause as Error).message}`, { cause });
  }
  const unresolved = findUnresolved(expanded);
  if (unresolved.length > 0) {
    const where = unresolved
      .slice(0, 5)
      .map((u) => `${u.path} = ${JSON.stringify(unshieldDollars(u.found))}`)
      .join('; ');
    throw new Error(`Card "${name}" has unresolved bindings (a field missing or null in the view): ${where}`);
  }
  const card = unshieldDollars(expanded) as AdaptiveCard;
  if (card.type !== 'AdaptiveCard' || card.version !== '1.5' || typeof card.fallbackText !== 'string' || card.fallbackText.trim() === '') {
    throw new Error(`Card "${name}" is not a 1.5 Adaptive Card with a fallbackText.`);
  }
  return card;
}
