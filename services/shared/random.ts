// Every random value of the bot comes from here, drawn from the operating system's CSPRNG.
import { randomBytes, randomInt, randomUUID } from 'node:crypto';

export function newId(): string {
  return randomUUID();
}

// No 0/O or 1/I/L: an error reference is read aloud to a helpdesk.
const referenceAlphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** A short reference (e.g. "K7Q2-M9XD") that ties what a user sees to a log line. */
export function newErrorReference(): string {
  const chars = Array.from({ length: 8 }, () => referenceAlphabet[randomInt(referenceAlphabet.length)]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4)}`;
}

/** `count` decimal digits, each uniformly random (leading zeros kept). */
export function randomDigits(count: number): string {
  return Array.from({ length: count }, () => String(randomInt(10))).join('');
}

/** A bearer token with 256 bits of entropy. */
export function newBearerToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** A new secret key for keyed hashes. */
export function newSecretKey(): string {
  return randomBytes(32).toString('base64url');
}
