// The provisioning domain, wired over one store. Chat commands, card actions, the device API,
// jobs and tests all call these.
import type { Database } from '../../prisma/store.ts';
import type { Clock } from '../shared/clock.ts';
import type { KeyedHasher } from '../shared/keyed-hash.ts';
import type { SealedBox } from '../shared/sealed-box.ts';
import { createCodeExpiry } from './code-expiry.ts';
import { createHandoffs } from './handoffs.ts';
import { createDeviceAccess } from './device-access.ts';
import { createDeviceQueries } from './device-queries.ts';
import { createProvisioning, type ProvisionGate } from './provisioning.ts';
import { createDeviceRegistry } from './registry.ts';
import { createSignIn } from './sign-in.ts';
import { createPlannedAccounts } from './planned-accounts.ts';
import { createSignInQueue } from './sign-in-queue.ts';
import { createVerificationCodes } from './verification-codes.ts';

export interface DeviceSettings {
  codeTtlMs: number;
  /** Minutes before a code expires to warn at; default [240, 60] (4 h and 1 h). */
  codeWarningLeadsMinutes?: readonly number[];
  /** How long a device may wait for sign-in before it is listed as stale; default 24 h. */
  staleAfterMs?: number;
  /** Checked before a device with a valid code is provisioned (the firmware readiness policy). */
  provisionGate?: ProvisionGate;
}

export function createDeviceServices(db: Database, clock: Clock, hasher: KeyedHasher, handoffBox: SealedBox, settings: DeviceSettings) {
  return {
    registry: createDeviceRegistry(db, clock),
    codes: createVerificationCodes(db, clock, hasher, handoffBox, settings.codeTtlMs),
    handoffs: createHandoffs(db, clock, handoffBox),
    provisioning: createProvisioning(db, clock, hasher, settings.provisionGate),
    signIn: createSignIn(db, clock),
    plannedAccounts: createPlannedAccounts(db, clock),
    signInQueue: createSignInQueue(db, clock),
    access: createDeviceAccess(db, clock, hasher),
    queries: createDeviceQueries(db),
    expiry: createCodeExpiry(db, clock, settings),
  };
}

export type DeviceServices = ReturnType<typeof createDeviceServices>;
