// One line about an error for a log's `reason` or /readyz: what failed, never a stack. Prisma's
// messages begin with a newline, "Invalid `prisma.x.y()` invocation in <file>" and a code
// frame, and end with what went wrong: for them the last line says it. A storage failure is
// described by its kind (storage-errors.ts).
import { describeStorageFailure, storageFailureOf } from './storage-errors.ts';

const maxSummaryLength = 300;

export function errorSummary(error: unknown): string {
  const failure = storageFailureOf(error);
  if (failure) return describeStorageFailure(failure);
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const telling = lines[0]?.startsWith('Invalid `') ? lines.at(-1) : lines[0];
  return (telling ?? (error instanceof Error ? error.name : 'unknown error')).slice(0, maxSummaryLength);
}
