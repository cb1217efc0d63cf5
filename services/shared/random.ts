// Every random value of the bot comes from here, drawn from the operating system's CSPRNG.
import { randomBytes, randomFillSync, randomInt } from 'node:crypto';

let lastMs = 0;
let sequence = 0;

// An id's 8 random bytes come from a pool refilled 4 KiB at a time: one call into the CSPRNG
// per 512 ids instead of one per id (codes for 10,000 devices make about 20,000 ids).
const randomPool = Buffer.alloc(4096);
let poolOffset = randomPool.length;

/** Copies 8 fresh random bytes into `target` at `at`; no byte of the pool is handed out twice. */
function copyRandomBytes(target: Buffer, at: number): void {
  if (poolOffset + 8 > randomPool.length) {
    randomFillSync(randomPool);
    poolOffset = 0;
  }
  randomPool.copy(target, at, poolOffset, poolOffset + 8);
  poolOffset += 8;
}

/**
 * A UUID version 7: the time in milliseconds first, then a counter, then random bits. Ids made
 * by one process sort in the order they were made, so rows written in the same millisecond
 * (an audit trail) still read back in order.
 */
export function newId(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    sequence = randomInt(0x800); // start low in the 12-bit space: room to count up
  } else {
    sequence += 1;
    if (sequence > 0xfff) {
      lastMs += 1; // a burst of 2,048+ ids in one millisecond borrows the next one
      sequence = 0;
    }
  }
  const bytes = Buffer.allocUnsafe(16);
  copyRandomBytes(bytes, 8);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// No 0/O or 1/I/L: an error reference is read aloud to a helpdesk.
const referenceAlphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** A short reference (e.g. "K7Q2-M9XD") that ties what a user sees to a log line. */
export function newErrorReference(): string {
  const chars = Array.from({ length: 8 }, () => referenceAlphabet[randomInt(referenceAlphabet.length)]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4)}`;
}

/**
 * `count` decimal digits, each uniformly random (leading zeros kept): one uniform draw below
 * 10^count, zero-padded (the same distribution as a draw per digit, in one call instead of
 * `count`: codes for 10,000 devices drew 60,000 times).
 */
export function randomDigits(count: number): string {
  if (!Number.isInteger(count) || count < 1 || count > 15) throw new Error('randomDigits draws 1 to 15 digits');
  // randomInt takes ranges below 2^48; beyond 12 digits, two draws.
  if (count > 12) return randomDigits(count - 12) + randomDigits(12);
  return String(randomInt(10 ** count)).padStart(count, '0');
}

/** A bearer token with 256 bits of entropy. */
export function newBearerToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** A new secret key for keyed hashes. */
export function newSecretKey(): string {
  return randomBytes(32).toString('base64url');
}
