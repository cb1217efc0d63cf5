// How domain errors look on the device API: an HTTP status, a stable `code` and a `message`
// a person can act on, plus the error's details (attemptsLeft, retryAfterSeconds).
import type { DomainErrorCode } from '../../services/shared/errors.ts';
import { storageRetryAfterSeconds, storageUnavailableMessage } from '../../prisma/storage-errors.ts';

export const statusOf: Record<DomainErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  wrong_code: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  already_provisioned: 409,
  sign_in_not_requested: 409,
  account_mismatch: 409,
  code_expired: 410,
  code_replaced: 410,
  too_large: 413,
  firmware_below_minimum: 409,
  locked_out: 429,
  rate_limited: 429,
};

/** The `code` for errors raised by the HTTP layer itself (bad JSON, unknown route…). */
export function codeForHttpStatus(status: number): string {
  if (status === 400) return 'invalid_input';
  if (status === 401) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status === 405) return 'method_not_allowed';
  if (status === 413) return 'too_large';
  if (status === 415) return 'unsupported_media_type';
  return status >= 500 ? 'internal_error' : 'bad_request';
}

/** The answer while the store is unavailable: nothing was changed, the device retries after Retry-After. */
export function storageUnavailableAnswer(reference: string) {
  return {
    status: 503,
    retryAfterSeconds: storageRetryAfterSeconds,
    body: { code: 'storage_unavailable', message: storageUnavailableMessage(reference), reference, retryAfterSeconds: storageRetryAfterSeconds },
  };
}
