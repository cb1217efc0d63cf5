// The port to Microsoft's SIP Gateway bulk sign-in (New-CsSdgBulkSignInRequest and
// Get-CsSdgBulkSignInRequestStatus). Adapters: the simulated gateway and PowerShell
// (bot/sip-gateway/), chosen by SIP_GATEWAY.
import type { SipRegion } from './regions.ts';

export interface SipBatchItemInput {
  username: string;
  hardwareId: string;
}

export interface SipBatchItemStatus {
  username: string;
  hardwareId: string;
  /** success | failed | anything else while in progress (compared without regard to case). */
  status: string;
  /** The gateway's error text, verbatim; null when none. */
  error: string | null;
  /** Fields the bot does not know, kept as they came. */
  extra?: Record<string, unknown>;
}

export interface SipBatchStatus {
  /** e.g. Running, Completed (compared without regard to case). */
  status: string;
  items: SipBatchItemStatus[];
}

/** The gateway refused a request; `kind` says what the bot can do about it. */
export class SipGatewayError extends Error {
  override name = 'SipGatewayError';
  constructor(
    /**
     * unavailable: nothing reached the gateway (safe to send again); outcome_unknown: the request
     * may have reached it but no answer came back (a timeout), so it must not be sent again blindly.
     */
    readonly kind: 'too_many_batches' | 'too_large' | 'throttled' | 'access_denied' | 'not_found' | 'unavailable' | 'outcome_unknown',
    message: string,
  ) {
    super(message);
  }
}

export interface SipGateway {
  /** Which adapter this is (shown by `sip check`). */
  readonly name: string;
  /**
   * True when a submission answers in well under a second, so `sip signin` submits while the
   * admin waits; false (PowerShell: seconds per run) leaves it to the follow job, since a chat
   * turn must answer within seconds.
   */
  readonly answersQuickly: boolean;
  /** Submits one batch (≤ 100 items) for a region; returns the gateway's batch id. */
  submit(tenantId: string, region: SipRegion, items: readonly SipBatchItemInput[]): Promise<{ batchId: string }>;
  status(tenantId: string, batchId: string): Promise<SipBatchStatus>;
}

export const isCompleted = (status: string) => status.trim().toLowerCase() === 'completed';
export const isSuccess = (status: string) => status.trim().toLowerCase() === 'success';
export const isFailed = (status: string) => status.trim().toLowerCase() === 'failed';
