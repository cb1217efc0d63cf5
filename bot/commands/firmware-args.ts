// Words of the firmware and update commands: quoted names ("Yealink T56A", Teams' curly quotes
// too), the targets (MACs, location NAME, model NAME, all), components and timings.
import { components, releaseLabels, type Component, type ReleaseLabel } from '../../services/firmware/catalog.ts';
import type { UpdateTarget, UpdateTiming } from '../../services/firmware/updates.ts';
import { phases, type Phase } from '../../services/firmware/update-rules.ts';
import { canonicalTimeZone } from '../../services/time-zones.ts';

/** Splits on spaces, keeping "quoted words" together (straight or curly quotes). */
export function words(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/["“”]([^"“”]*)["“”]|'([^']*)'|(\S+)/g)) found.push((match[1] ?? match[2] ?? match[3] ?? '').trim());
  return found.filter((word) => word !== '');
}

/** "teams" or "Teams app" or "companyportal" → the component; null when none. */
export function componentNamed(word: string | undefined): Component | null {
  if (!word) return null;
  const key = word.toLowerCase();
  return components.find((component) => component.toLowerCase() === key) ?? null;
}

export type FirmwareArgs =
  | { kind: 'fleet' }
  | { kind: 'device'; mac: string }
  | { kind: 'release'; model: string; component: Component; version: string; label: ReleaseLabel; released: string | null; requires: string | null }
  | { kind: 'import'; text: string }
  | { kind: 'window'; day: number; start: string; hours: number }
  | { kind: 'phase'; phase: Phase; scope: { kind: 'tenant' } | { kind: 'location'; location: string } | { kind: 'device'; mac: string } };

export const releaseUsage = 'firmware release MODEL COMPONENT VERSION [verified|preview] [released YYYY-MM-DD] [requires VERSION], e.g. firmware release "Yealink T56A" firmware 58.15.0.130 verified';

/** The `firmware` command's words, or the problem in a sentence. */
export function parseFirmwareArgs(text: string): FirmwareArgs | { problem: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'fleet' };
  const first = trimmed.split(/\s+/)[0]!.toLowerCase();
  if (first === 'import') return { kind: 'import', text: trimmed.slice(first.length).trim() };
  const parts = words(trimmed);
  if (first === 'release') {
    const [, model, componentWord, version, ...rest] = parts;
    if (!model || !componentWord || !version) return { problem: `say the model, component and version: ${releaseUsage}` };
    const component = componentNamed(componentWord);
    if (!component) return { problem: `"${componentWord}" is not a component: one of ${components.join(', ')} (${releaseUsage})` };
    let label: ReleaseLabel = 'verified';
    let released: string | null = null;
    let requires: string | null = null;
    for (let index = 0; index < rest.length; index++) {
      const word = rest[index]!.toLowerCase();
      if ((releaseLabels as readonly string[]).includes(word)) label = word as ReleaseLabel;
      else if (word === 'released' && rest[index + 1]) released = rest[++index]!;
      else if (word === 'requires' && rest[index + 1]) requires = rest[++index]!;
      else return { problem: `"${rest[index]}" does not fit here (${releaseUsage})` };
    }
    return { kind: 'release', model, component, version, label, released, requires };
  }
  if (first === 'window') {
    const [, dayWord, start, hoursWord] = parts;
    const days = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
    const day = days.findIndex((name) => dayWord !== undefined && dayWord.length >= 3 && name.startsWith(dayWord.toLowerCase()));
    if (day < 0 || !start) return { problem: 'write firmware window DAY HH:mm [HOURS], e.g. firmware window Sunday 01:00 3 (at least 3 hours)' };
    const hours = hoursWord === undefined ? 3 : Number(hoursWord);
    return { kind: 'window', day, start, hours };
  }
  if (first === 'phase') {
    const [, phaseWord, scopeWord, ...rest] = parts;
    const phase = phases.find((candidate) => candidate === phaseWord?.toLowerCase());
    if (!phase) return { problem: 'say the phase: firmware phase validation|general|final [location NAME | MAC]' };
    if (!scopeWord) return { kind: 'phase', phase, scope: { kind: 'tenant' } };
    if (scopeWord.toLowerCase() === 'location' && rest.length > 0) return { kind: 'phase', phase, scope: { kind: 'location', location: rest.join(' ') } };
    return { kind: 'phase', phase, scope: { kind: 'device', mac: scopeWord } };
  }
  if (parts.length === 1) return { kind: 'device', mac: parts[0]! };
  return { problem: 'write "firmware", "firmware MAC", "firmware release …", "firmware import" or "firmware phase …"' };
}

export interface UpdateArgs {
  target: UpdateTarget;
  component: Component;
  version: string | null;
  timing: UpdateTiming;
}

export const updateUsage = 'update MAC…|location NAME|model MODEL [firmware|teams|companyPortal|adminAgent|partnerAgent] [to VERSION] [now | at YYYY-MM-DD HH:mm [ZONE] | window]';

const isKeyword = (word: string) => componentNamed(word) !== null || ['to', 'now', 'at', 'window'].includes(word.toLowerCase());

/** A target: MACs, location NAME, model NAME or all; the words after it are returned. */
export function parseTarget(parts: readonly string[]): { target: UpdateTarget; rest: string[] } | { problem: string } {
  const [first, ...others] = parts;
  if (!first) return { problem: 'say which devices: MACs, location NAME, model MODEL or all' };
  const lower = first.toLowerCase();
  const nameUntilKeyword = () => {
    const name: string[] = [];
    let index = 0;
    while (index < others.length && !isKeyword(others[index]!)) name.push(others[index++]!);
    return { name: name.join(' '), rest: others.slice(index) };
  };
  if (lower === 'location' || lower === 'model') {
    const { name, rest } = nameUntilKeyword();
    if (name === '') return { problem: `say the ${lower}'s name, in quotes when it has spaces` };
    return { target: lower === 'location' ? { kind: 'location', location: name } : { kind: 'model', model: name }, rest };
  }
  if (lower === 'all') return { target: { kind: 'all' }, rest: others };
  const macs: string[] = [];
  let index = 0;
  const all = [first, ...others];
  while (index < all.length && !isKeyword(all[index]!)) macs.push(...all[index++]!.split(/[,;]/).filter(Boolean));
  return { target: { kind: 'macs', macs }, rest: all.slice(index) };
}

export function parseUpdateArgs(text: string): UpdateArgs | { problem: string } {
  const parsed = parseTarget(words(text));
  if ('problem' in parsed) return parsed;
  let rest = parsed.rest;
  let component: Component = 'firmware';
  const named = componentNamed(rest[0]);
  if (named) {
    component = named;
    rest = rest.slice(1);
  }
  let version: string | null = null;
  if (rest[0]?.toLowerCase() === 'to') {
    if (!rest[1]) return { problem: 'say the version after "to", e.g. to 58.15.0.130' };
    version = rest[1];
    rest = rest.slice(2);
  }
  let timing: UpdateTiming = { kind: 'window' };
  const when = rest[0]?.toLowerCase();
  if (when === 'now') {
    timing = { kind: 'now' };
    rest = rest.slice(1);
  } else if (when === 'window') {
    rest = rest.slice(1);
  } else if (when === 'at') {
    const [, day, time, zone] = rest;
    if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day) || !time || !/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) return { problem: 'write the time as at YYYY-MM-DD HH:mm [ZONE], e.g. at 2026-12-13 02:00 Europe/Berlin' };
    if (Number.isNaN(Date.parse(`${day}T00:00:00Z`))) return { problem: `${day} is not a calendar date` };
    const canonical = zone ? canonicalTimeZone(zone) : null;
    if (zone && !canonical) return { problem: `"${zone}" is not a time zone: write an IANA name such as Europe/Berlin` };
    timing = { kind: 'at', day, time, zone: canonical };
    rest = rest.slice(zone ? 4 : 3);
  }
  if (rest.length > 0) return { problem: `"${rest.join(' ')}" does not fit here (${updateUsage})` };
  return { target: parsed.target, component, version, timing };
}
