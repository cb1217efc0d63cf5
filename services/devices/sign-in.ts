// Remote sign-in, both sides: the admin's request, and the device's reports (its login code,
// then success). Each step is one transaction with its compare-and-set and audit event.
import { z } from 'zod';
import type { Database } from '../../prisma/store.ts';
import { enqueueEvent } from '../notifications/outbox.ts';
import { actorLabel, type Actor } from '../shared/actor.ts';
import type { Clock } from '../shared/clock.ts';
import { DomainError } from '../shared/errors.ts';
import { newId } from '../shared/random.ts';
import { recordAudit } from './audit-log.ts';
import { findDeviceByMac, type Device } from './device-repository.ts';
import { stateLabels } from './device-state.ts';
import { deviceRecords } from './device-steps.ts';
import { parseMac } from './mac-address.ts';
import { findOpenSession, closeOpenSessions, lapseIfDue } from './sign-in-sessions.ts';
import { upnHint, upnPattern } from './sign-in-plan.ts';
import { renewalsRestored } from './sign-in-queue.ts';
import { plannedAccountOf } from './planned-accounts.ts';
import { moveDevice } from './transition.ts';

/** A shared account's sign-in name (UPN), e.g. lobby-phone@contoso.com. */
// The characters of a user principal name, no more: a device reports this and it is shown on
// admins' cards, where brackets or parentheses would let it smuggle in a markdown link.
const accountSchema = z
  .string()
  .trim()
  .max(254)
  .regex(upnPattern, upnHint);
/**
 * The user code of Microsoft's device-code flow, as the device-login portal takes it: 9
 * letters and digits (e.g. EV9PGNQN8). Anything else is not a code an admin should type there.
 */
const loginCodeSchema = z.string().trim().regex(/^[A-Za-z0-9]{9}$/, 'expected the 9 letters and digits of a device-login code (e.g. EV9PGNQN8)');
/**
 * Microsoft's device codes live 15 minutes: a device claiming longer wants the admin to act on
 * a code that is not what it says (a phishing lure prepared elsewhere), so it is refused.
 */
export const loginCodeValidity = { minSeconds: 60, maxSeconds: 15 * 60 };
const validitySchema = z
  .number()
  .int()
  .min(loginCodeValidity.minSeconds, `at least ${loginCodeValidity.minSeconds} seconds`)
  .max(loginCodeValidity.maxSeconds, `a device-login code is valid at most 15 minutes (${loginCodeValidity.maxSeconds} seconds)`)
  .default(loginCodeValidity.maxSeconds);

/** Accounts compare as Entra compares sign-in names: without regard to case. */
const sameAccount = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function checked<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new DomainError('invalid_input', `${field}: ${result.error.issues[0]?.message ?? 'invalid'}.`);
  return result.data;
}

export interface DeviceStateView {
  state: Device['state'];
  signInRequested: boolean;
  account?: string;
}

export function createSignIn(db: Database, clock: Clock) {
  async function deviceInTenant(tenantId: string, rawMac: string, tx: Parameters<typeof findDeviceByMac>[0]): Promise<Device> {
    const mac = parseMac(rawMac);
    if (!mac.ok) throw new DomainError('invalid_input', `"${rawMac}" is not a MAC address: ${mac.reason}.`);
    const device = await findDeviceByMac(tx, tenantId, mac.mac);
    if (!device) throw new DomainError('not_found', `No device ${mac.mac} is registered here. Type "list" to see your devices.`);
    return device;
  }

  return {
    /** An admin asks for a shared account to be signed in on a provisioned device. */
    async request(actor: Actor, tenantId: string, rawMac: string, account?: string | null): Promise<Device> {
      const wanted = account ? checked(accountSchema, account, 'account') : null;
      const now = clock.now();
      return db.$transaction(async (tx) => {
        const device = await lapseIfDue(tx, await deviceInTenant(tenantId, rawMac, tx), now);
        if (device.state !== 'awaiting_sign_in') {
          const hint = device.state === 'signing_in' ? 'a login code is already waiting to be entered; refresh it after it lapses' : 'only a device waiting for sign-in can be signed in';
          throw new DomainError('conflict', `Device ${device.mac} is ${stateLabels[device.state]}: ${hint}.`);
        }
        const open = await findOpenSession(tx, device);
        if (open) {
          await tx.signInSession.update({ where: { id: open.id }, data: { account: wanted ?? open.account, updatedAt: now } });
        } else {
          // A refresh after a lapsed code keeps the account asked for before; else the device's planned account.
          const previous = wanted ? null : await tx.signInSession.findFirst({ where: { deviceId: device.id }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
          const account = wanted ?? previous?.account ?? (await plannedAccountOf(tx, device.id));
          await tx.signInSession.create({ data: { id: newId(), tenantId, deviceId: device.id, requestedBy: actorLabel(actor), account, createdAt: now, updatedAt: now } });
        }
        await renewalsRestored(tx, device.id);
        await recordAudit(tx, { tenantId, deviceId: device.id, actor, action: deviceRecords.request_sign_in.audit, data: { account: wanted } }, now);
        await enqueueEvent(tx, { kind: deviceRecords.request_sign_in.event, tenantId, actor: actorLabel(actor), deviceId: device.id, mac: device.mac, account: wanted }, now);
        return device;
      });
    },

    /** What a device polls: its state and whether an admin wants it signed in. */
    async stateOf(device: Device): Promise<DeviceStateView> {
      const now = clock.now();
      const read = () =>
        db.$transaction(async (tx) => {
          const current = await lapseIfDue(tx, device, now);
          const session = await findOpenSession(tx, current);
          const account = current.state === 'signed_in' ? current.signedInAccount : session?.account;
          return { state: current.state, signInRequested: session?.status === 'requested', ...(account ? { account } : {}) };
        });
      // A poll that loses a race with the device's own report (the lapse finds the state changed)
      // reads again: a phone asking for its state never gets a conflict.
      return read().catch((error: unknown) => {
        if (error instanceof DomainError && error.code === 'conflict') return read();
        throw error;
      });
    },

    /** The device reports the device-login code it got from the identity provider. */
    async reportLoginCode(device: Device, report: { loginCode?: unknown; expiresInSeconds?: unknown }): Promise<DeviceStateView> {
      const loginCode = checked(loginCodeSchema, report.loginCode, 'loginCode').toUpperCase();
      const seconds = checked(validitySchema, report.expiresInSeconds, 'expiresInSeconds');
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + seconds * 1000);
      await db.$transaction(async (tx) => {
        const current = await lapseIfDue(tx, device, now);
        const session = await findOpenSession(tx, current);
        if (current.state !== 'awaiting_sign_in' || session?.status !== 'requested') {
          throw new DomainError('sign_in_not_requested', 'No sign-in was requested for this device. Wait until the admin requests one (signInRequested in GET /state).');
        }
        await moveDevice(
          tx,
          {
            device: current,
            step: 'report_login_code',
            actor: { kind: 'device', mac: device.mac },
            data: { expiresAt: expiresAt.toISOString() },
            event: { account: session.account, expiresAt: expiresAt.toISOString() },
          },
          now,
        );
        await tx.signInSession.update({ where: { id: session.id }, data: { loginCode, loginCodeExpiresAt: expiresAt, status: 'code_reported', updatedAt: now } });
      });
      return { state: 'signing_in', signInRequested: false };
    },

    /**
     * The device reports that the account is signed in. An account other than the one the admin
     * chose is refused (nothing changes) and the admins are told: the device may have been
     * signed in with someone else's code.
     */
    async reportSignedIn(device: Device, report: { account?: unknown }): Promise<DeviceStateView> {
      const account = checked(accountSchema, report.account, 'account');
      const now = clock.now();
      const refused = await db.$transaction(async (tx) => {
        const current = await findDeviceByMac(tx, device.tenantId, device.mac);
        if (!current || current.state !== 'signing_in') {
          throw new DomainError('conflict', `This device is ${current ? stateLabels[current.state] : 'unknown'}, not signing in: report signed-in only after entering a login code.`);
        }
        const session = await findOpenSession(tx, current);
        const chosen = session?.account ?? null;
        if (chosen && !sameAccount(chosen, account)) {
          // Kept (committed): the audit row and the admins' warning. The device stays signing in.
          const actor = { kind: 'device', mac: device.mac } as const;
          await recordAudit(tx, { tenantId: current.tenantId, deviceId: current.id, actor, action: deviceRecords.refuse_sign_in.audit, data: { expected: chosen, reported: account } }, now);
          await enqueueEvent(tx, { kind: deviceRecords.refuse_sign_in.event, tenantId: current.tenantId, deviceId: current.id, mac: current.mac, expected: chosen, reported: account }, now);
          return chosen;
        }
        await moveDevice(
          tx,
          { device: current, step: 'sign_in', actor: { kind: 'device', mac: device.mac }, data: { account }, set: { signedInAccount: account }, event: { account } },
          now,
        );
        await closeOpenSessions(tx, current, 'completed', now);
        return null;
      });
      if (refused !== null) {
        throw new DomainError('account_mismatch', `The admin asked for ${refused} to be signed in, not ${account}: nothing was changed and the admins have been told. Sign in with ${refused}.`, { expected: refused });
      }
      return { state: 'signed_in', signInRequested: false, account };
    },

    /** The latest sign-in of a device, whatever became of it: what sign-in cards are drawn from. */
    async latestSession(tenantId: string, deviceId: string): Promise<{ status: string; account: string | null; loginCode: string | null; loginCodeExpiresAt: Date | null } | null> {
      const row = await db.signInSession.findFirst({ where: { tenantId, deviceId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
      return row ? { status: row.status, account: row.account, loginCode: row.loginCode, loginCodeExpiresAt: row.loginCodeExpiresAt } : null;
    },

    /** The login code a person types at the device-login portal, while it is valid. */
    async pendingLoginCode(tenantId: string, rawMac: string): Promise<{ loginCode: string; expiresAt: Date; account: string | null } | null> {
      const device = await deviceInTenant(tenantId, rawMac, db);
      const session = await findOpenSession(db, device);
      if (!session?.loginCode || !session.loginCodeExpiresAt || session.loginCodeExpiresAt.getTime() <= clock.now().getTime()) return null;
      return { loginCode: session.loginCode, expiresAt: session.loginCodeExpiresAt, account: session.account };
    },
  };
}

export type SignIn = ReturnType<typeof createSignIn>;
