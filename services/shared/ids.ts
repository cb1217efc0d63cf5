// Identifiers and short references from one random source.
import { randomBytes, randomUUID } from 'node:crypto';

export function newId(): string {
  return randomUUID();
}

// No 0/O or 1/I/L: an error reference is read aloud to a helpdesk.
const referenceAlphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** A short reference (e.g. "K7Q2-M9XD") that ties what a user sees to a log line. */
export function newErrorReference(): string {
  const bytes = randomBytes(8);
  const chars = [...bytes].map((byte) => referenceAlphabet[byte % referenceAlphabet.length]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4)}`;
}
