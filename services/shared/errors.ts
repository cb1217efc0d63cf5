// Errors a user or a device can cause. Each has a stable code (for logs, support, tests and
// the device API's JSON) and a message that says what to do next. The chat router and the
// device API are the only places that turn them into words or HTTP statuses.
export type DomainErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'forbidden'
  | 'conflict'
  | 'unauthorized'
  | 'wrong_code'
  | 'code_expired'
  | 'code_replaced'
  | 'already_provisioned'
  | 'locked_out'
  /** Too many wrong codes from one network address, one tenant's devices or in total: wait Retry-After. */
  | 'rate_limited'
  | 'sign_in_not_requested'
  /** A device reports an account signed in other than the one the admin chose. */
  | 'account_mismatch'
  | 'too_large'
  /** The device's firmware is below its model's minimum for remote provisioning (FIRMWARE_BELOW_MINIMUM=block). */
  | 'firmware_below_minimum';

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** Extra facts for the caller, e.g. { attemptsLeft: 3 } or { retryAfterSeconds: 600 }. */
    readonly details: Record<string, string | number | boolean> = {},
  ) {
    super(message);
  }
}
