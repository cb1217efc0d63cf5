// Errors a user can cause. Each has a stable code (for logs, support and tests) and a
// message that says what to do next; the chat router is the one place that shows them.
export type DomainErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'forbidden'
  | 'conflict';

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
  }
}
