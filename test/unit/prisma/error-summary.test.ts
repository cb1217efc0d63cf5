import { describe, expect, it } from 'vitest';
import { errorSummary } from '../../../prisma/error-summary.ts';

describe('errorSummary: one line about an error for logs and /readyz', () => {
  it('takes the first line of an ordinary message, trimmed and bounded', () => {
    expect(errorSummary(new Error('  connection refused\n    at stack frame'))).toBe('connection refused');
    expect(errorSummary(new Error('x'.repeat(1_000)))).toHaveLength(300);
    expect(errorSummary('plain string')).toBe('plain string');
  });

  it("takes the last line of Prisma's invocation messages, which begin with a newline and a code frame", () => {
    const prisma = new Error('\nInvalid `prisma.outboxMessage.findMany()` invocation in\n/srv/bot/services/notifications/outbox.ts:42:7\n\n  41 |\n→ 42 |   await db.outboxMessage.findMany(\nTransaction already closed: the timeout for this transaction was 5000 ms');
    expect(errorSummary(prisma)).toBe('Transaction already closed: the timeout for this transaction was 5000 ms');
  });

  it('names an error with no message by its name', () => {
    expect(errorSummary(new TypeError(''))).toBe('TypeError');
  });
});
