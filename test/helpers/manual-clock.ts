// A clock the test moves by hand, for expiry and lockout windows.
import type { Clock } from '../../services/shared/clock.ts';

export class ManualClock implements Clock {
  private current: number;

  constructor(start = new Date('2026-11-22T09:00:00Z')) {
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

export const minutes = (n: number) => n * 60_000;
export const hours = (n: number) => n * 3_600_000;
