// What may follow "sip": one verb and its words, parsed into a plain request. Every mistake gets
// a sentence that says what to type.
import { z } from 'zod';
import { parseRegion, regionChoices, type SipRegion } from '../../services/sip/regions.ts';

export type SipRequest =
  | { verb: 'import'; csv: string }
  | { verb: 'signin'; importId?: string; region?: SipRegion; batchSize?: number }
  | { verb: 'retry'; importId?: string; region?: SipRegion; batchSize?: number }
  | { verb: 'status'; importId?: string }
  | { verb: 'export'; importId?: string }
  | { verb: 'region'; location: string | null; region: SipRegion }
  | { verb: 'urls' }
  | { verb: 'check'; tick?: { id: string; done: boolean } }
  | { verb: 'onboarded'; importId: string; at: string };

export const sipUsage = 'sip import CSV | signin [all|IMPORT] [region R] | status [IMPORT] | export [IMPORT] | retry [IMPORT] [size N] | region default R | region location "NAME" R | onboarded IMPORT TIME | urls | check [done|undo ID]';

const importIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const sipArgs = z.string().transform((text, ctx): SipRequest => {
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  const verbMatch = /^(\S*)\s*([\s\S]*)$/.exec(text.trim());
  const verb = (verbMatch?.[1] ?? '').toLowerCase();
  const rest = verbMatch?.[2] ?? '';
  const words = rest.split(/\s+/).filter((word) => word !== '');

  /** [all|IMPORT] [region R] [size N], in any order. */
  const selection = (allowSize: boolean) => {
    const chosen: { importId?: string; region?: SipRegion; batchSize?: number } = {};
    for (let index = 0; index < words.length; index++) {
      const word = words[index]!;
      const lower = word.toLowerCase();
      if (lower === 'all') continue;
      if (lower === 'region') {
        const region = parseRegion(words[++index] ?? '');
        if (!region) return fail(`after "region" write one of ${regionChoices}`);
        chosen.region = region;
      } else if (lower === 'size' && allowSize) {
        const size = Number(words[++index]);
        if (!Number.isInteger(size) || size < 1 || size > 100) return fail('after "size" write a batch size from 1 to 100');
        chosen.batchSize = size;
      } else if (importIdPattern.test(word)) {
        chosen.importId = word.toLowerCase();
      } else {
        return fail(`"${word}" is neither "all", an import id (as "sip import" gave it), "region ${regionChoices.replace(/, /g, '|')}" nor "size N"`);
      }
    }
    return chosen;
  };
  const optionalImport = () => {
    if (words.length === 0) return {};
    if (words.length === 1 && importIdPattern.test(words[0]!)) return { importId: words[0]!.toLowerCase() };
    return fail(`expected an import id (as "sip import" gave it), or nothing for the latest import; got "${rest}"`);
  };

  switch (verb) {
    case 'import':
      return { verb, csv: rest };
    case 'signin':
    case 'sign-in':
      return { verb: 'signin', ...selection(true) };
    case 'retry':
      return { verb, ...selection(true) };
    case 'status':
    case 'export':
      // status also takes a batch id (same form): the command tells which it is.
      return { verb, ...optionalImport() };
    case 'urls':
      return { verb };
    case 'check': {
      if (words.length === 0) return { verb };
      const action = words[0]!.toLowerCase();
      if ((action === 'done' || action === 'undo') && words.length === 2) return { verb, tick: { id: words[1]!.toLowerCase(), done: action === 'done' } };
      return fail('write "sip check" to see the checklist, "sip check done ID" to tick one, "sip check undo ID" to untick it');
    }
    case 'region': {
      const region = parseRegion(words.at(-1) ?? '');
      if (!region) return fail(`end with the region: one of ${regionChoices}, e.g. "sip region default EMEA"`);
      const head = (words[0] ?? '').toLowerCase();
      if (head === 'default' && words.length === 2) return { verb, location: null, region };
      if (head === 'location' && words.length >= 3) {
        const location = words.slice(1, -1).join(' ').replace(/^"(.*)"$/s, '$1').trim();
        if (location !== '') return { verb, location, region };
      }
      return fail('write "sip region default EMEA", or "sip region location "Berlin HQ" EMEA"');
    }
    case 'onboarded': {
      const [importId, ...time] = words;
      if (!importId || !importIdPattern.test(importId) || time.length === 0) return fail('write "sip onboarded IMPORT now", or "sip onboarded IMPORT 2026-12-07 09:30" (UTC)');
      return { verb, importId: importId.toLowerCase(), at: time.join(' ') };
    }
    default:
      return fail(`"${verb || '(nothing)'}" is not a sip verb. Use: ${sipUsage}`);
  }
});
