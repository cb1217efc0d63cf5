// The admin center's update rules, as pure functions of an injected "now" (no store, no clock):
// phases and their delays, the maintenance window in the device's local time, the stable
// spread of starts over a window, the cap on a scheduled date, and the pause.
import { localMoment } from '../shared/local-time.ts';
import type { Component, ReleaseLabel } from './catalog.ts';

export const phases = ['validation', 'general', 'final'] as const;
export type Phase = (typeof phases)[number];

const dayMs = 24 * 3_600_000;

/** Days after release a phase applies a version automatically: firmware 0/30/90, apps (Teams…) 0/15/45. */
export function phaseDelayDays(phase: Phase, component: Component): number {
  if (phase === 'validation') return 0;
  const firmware = component === 'firmware';
  if (phase === 'general') return firmware ? 30 : 15;
  return firmware ? 90 : 45;
}

/** When a release becomes due for devices of a phase (also the latest a scheduled update may wait for). */
export function dueFrom(releasedAt: Date, phase: Phase, component: Component): Date {
  return new Date(releasedAt.getTime() + phaseDelayDays(phase, component) * dayMs);
}

/**
 * Whether the phase rules apply a release to a device automatically now: only verified
 * releases, only to devices on a version the catalog knows, only once the phase's delay has
 * passed, never while updates are paused.
 */
export function autoApplies(input: { label: ReleaseLabel; releasedAt: Date; phase: Phase; component: Component; currentKnown: boolean; pausedUntil: Date | null; now: Date }): { applies: boolean; why: string } {
  if (input.label !== 'verified') return { applies: false, why: 'preview releases are applied only when an admin asks' };
  if (!input.currentKnown) return { applies: false, why: 'the device runs a version the catalog does not know: only a manual update' };
  if (input.pausedUntil && input.pausedUntil.getTime() > input.now.getTime()) return { applies: false, why: 'automatic updates are paused' };
  const due = dueFrom(input.releasedAt, input.phase, input.component);
  if (due.getTime() > input.now.getTime()) return { applies: false, why: `the ${input.phase} phase gets it from ${due.toISOString().slice(0, 10)}` };
  return { applies: true, why: `due for the ${input.phase} phase` };
}

/**
 * A manual firmware update scheduled later than the phase would apply it anyway is moved to
 * that date (the admin center's maximum delay); apps are not capped. `capped` says whether it moved.
 */
export function capScheduled(requested: Date, release: { releasedAt: Date; component: Component }, phase: Phase, now: Date): { at: Date; capped: boolean; latest: Date } {
  const due = dueFrom(release.releasedAt, phase, release.component);
  const latest = due.getTime() < now.getTime() ? now : due;
  if (release.component !== 'firmware' || requested.getTime() <= latest.getTime()) return { at: requested, capped: false, latest };
  return { at: latest, capped: true, latest };
}

export interface WindowSettings {
  /** 0 = Sunday … 6 = Saturday. */
  day: number;
  /** HH:mm local. */
  start: string;
  /** At least 3. */
  hours: number;
}

export const defaultWindow: WindowSettings = { day: 0, start: '01:00', hours: 3 };
export const minimumWindowHours = 3;

const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** "Sunday 01:00–04:00". */
export function describeWindow(window: WindowSettings): string {
  const [hours, minutes] = window.start.split(':').map(Number) as [number, number];
  const endMinutes = (hours * 60 + minutes + window.hours * 60) % (24 * 60);
  const end = `${String(Math.floor(endMinutes / 60)).padStart(2, '0')}:${String(endMinutes % 60).padStart(2, '0')}`;
  return `${weekdays[window.day]} ${window.start}–${end}`;
}

/** The day after/before a local YYYY-MM-DD (calendar arithmetic, no zone). */
function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * dayMs).toISOString().slice(0, 10);
}

/**
 * The instant a wall clock in `timeZone` shows `day` `time`. In the spring-forward gap the
 * time does not exist; the instant an hour later on the wall (the clock jumped past it) is used.
 */
export function zonedInstant(day: string, time: string, timeZone: string): Date {
  const wanted = Date.parse(`${day}T${time}:00Z`);
  const offsetAt = (instant: number) => {
    const shown = localMoment(new Date(instant), timeZone);
    return Date.parse(`${shown.day}T${shown.time}:00Z`) - instant;
  };
  const first = wanted - offsetAt(wanted);
  const second = wanted - offsetAt(first);
  if (second + offsetAt(second) === wanted) return new Date(second);
  if (first + offsetAt(first) === wanted) return new Date(first);
  // In the gap: the wall clock jumped over this time; the instant after the jump.
  return new Date(Math.max(first, second));
}

export interface Window {
  start: Date;
  end: Date;
}

/** The window that contains `at`, or else the next one, in the device's zone (DST-correct: local wall times). */
export function windowAtOrAfter(at: Date, timeZone: string, settings: WindowSettings = defaultWindow): Window {
  const today = localMoment(at, timeZone).day;
  for (let offset = -1; offset <= 8; offset++) {
    const day = addDays(today, offset);
    if (new Date(`${day}T00:00:00Z`).getUTCDay() !== settings.day) continue;
    const [hours, minutes] = settings.start.split(':').map(Number) as [number, number];
    const endTotal = hours * 60 + minutes + settings.hours * 60;
    const endDay = addDays(day, Math.floor(endTotal / (24 * 60)));
    const endMinutes = endTotal % (24 * 60);
    const endTime = `${String(Math.floor(endMinutes / 60)).padStart(2, '0')}:${String(endMinutes % 60).padStart(2, '0')}`;
    const window = { start: zonedInstant(day, settings.start, timeZone), end: zonedInstant(endDay, endTime, timeZone) };
    if (window.end.getTime() > at.getTime()) return window;
  }
  throw new Error(`no maintenance window found after ${at.toISOString()}`);
}

/**
 * FNV-1a of the MAC's hex digits, upper case: the same MAC always gets the same slot. Read
 * character by character (the update planner hashes tens of thousands of MACs at a time);
 * text that is not ASCII goes the long way, since upper-casing it can make hex digits ("ﬀ" is "FF").
 */
export function macHash(mac: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < mac.length; index++) {
    let code = mac.charCodeAt(index);
    if (code > 0x7f) return macHashOfText(mac);
    if (code >= 0x61 && code <= 0x66) code -= 0x20; // a-f as A-F
    if ((code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46)) hash = Math.imul(hash ^ code, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** macHash of any text: its upper case's hex digits. */
export function macHashOfText(mac: string): number {
  let hash = 0x811c9dc5;
  for (const char of mac.toUpperCase().replace(/[^0-9A-F]/g, '')) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** An hour of the window is kept free at its end so that an update started last can finish in it. */
const installAllowanceMs = 3_600_000;

/**
 * When a device starts in its window: a stable slot picked by the hash of its MAC, spread over
 * the window's real length (shorter on the night clocks go forward), or at once if that slot
 * already passed while the window is still open.
 */
export function startInWindow(mac: string, window: Window, now: Date): { notBefore: Date; notAfter: Date } {
  const spreadMinutes = Math.max(1, Math.floor((window.end.getTime() - window.start.getTime() - installAllowanceMs) / 60_000));
  const slot = new Date(window.start.getTime() + (macHash(mac) % spreadMinutes) * 60_000);
  const notBefore = slot.getTime() < now.getTime() ? now : slot;
  return { notBefore, notAfter: window.end };
}

/** Where a device's update lands: its slot in the window that is open or next. */
export function nextSlot(mac: string, timeZone: string, settings: WindowSettings, now: Date): { notBefore: Date; notAfter: Date } {
  let window = windowAtOrAfter(now, timeZone, settings);
  // Too little of an open window left to install in: the next one.
  if (window.end.getTime() - Math.max(now.getTime(), window.start.getTime()) < installAllowanceMs / 2) {
    window = windowAtOrAfter(new Date(window.end.getTime() + 1), timeZone, settings);
  }
  return startInWindow(mac, window, now);
}

/** How long `pause updates` lasts. */
export const pauseDays = 15;
export const pauseEnds = (now: Date) => new Date(now.getTime() + pauseDays * dayMs);

/** How long after a device said busy (in a call) it is asked again. */
export const busyRetryMs = 10 * 60_000;
