// Codes and tokens are stored only as keyed hashes (HMAC-SHA-256 with a server secret): a
// copy of the database alone cannot be used to test guesses offline.
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';

export interface KeyedHasher {
  hash(value: string): string;
  matches(value: string, expectedHash: string): boolean;
}

export function createKeyedHasher(secret: string): KeyedHasher {
  if (secret.length < 32) throw new Error('the keyed-hash secret must have at least 32 characters');
  // The key is prepared once: given the secret as a string, every HMAC would convert it again.
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  const hash = (value: string) => createHmac('sha256', key).update(value, 'utf8').digest('base64url');
  return {
    hash,
    matches(value, expectedHash) {
      const actual = Buffer.from(hash(value));
      const expected = Buffer.from(expectedHash);
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
  };
}
