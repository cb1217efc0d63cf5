// What happened in the domain that another part of the bot must react to (cards, jobs).
// Events carry facts, never secrets: no verification code, token or login code plaintext.
export type DomainEvent =
  | { kind: 'devices.registered'; tenantId: string; actor: string; macs: string[] }
  | { kind: 'codes.issued'; tenantId: string; actor: string; batchId: string; devices: { mac: string; location: string | null; expiresAt: string }[] }
  | { kind: 'device.provisioned'; tenantId: string; deviceId: string; mac: string; location: string | null; model: string | null; firmwareVersion: string | null }
  /** `deviceId`: this tenant's own device with that MAC (another tenant may register the same MAC); absent on events queued before it was carried. */
  | { kind: 'device.locked_out'; tenantId: string; deviceId?: string; mac: string; until: string; source?: string }
  /** One network address sent too many wrong codes, some at this tenant's devices: refused until `until`; said once per incident. */
  | { kind: 'source.blocked'; tenantId: string; source: string; failures: number; macs: number; until: string }
  | { kind: 'sign_in.requested'; tenantId: string; actor: string; deviceId: string; mac: string; account: string | null }
  | { kind: 'sign_in.code_ready'; tenantId: string; deviceId: string; mac: string; account: string | null; expiresAt: string }
  | { kind: 'sign_in.lapsed'; tenantId: string; deviceId: string; mac: string }
  | { kind: 'sign_in.account_mismatch'; tenantId: string; deviceId: string; mac: string; expected: string; reported: string }
  /** An admin marked a queued device's sign-in done on the queue card (the device confirms by its own report). */
  | { kind: 'sign_in.marked_done'; tenantId: string; actor: string; deviceId: string; mac: string }
  | { kind: 'device.signed_in'; tenantId: string; deviceId: string; mac: string; account: string }
  | { kind: 'code.expired'; tenantId: string; deviceId: string; mac: string }
  | { kind: 'device.reset'; tenantId: string; actor: string; deviceId: string; mac: string }
  /** Codes of one hand-off and location that expire within a lead time (e.g. 4 h), not yet used. */
  | { kind: 'codes.expiring'; tenantId: string; batchId: string; location: string | null; leadMinutes: number; expiresAt: string; macs: string[]; issuedBy: string }
  /** One sweep expired these codes: admins get one summary. */
  | { kind: 'codes.expired'; tenantId: string; macs: string[] }
  /** Devices waiting for sign-in longer than STALE_AFTER, listed once a day. */
  | { kind: 'devices.stale'; tenantId: string; day: string; devices: { mac: string; location: string | null; since: string }[] }
  /** A technician marked a device of a hand-off installed: its cards are redrawn. */
  | { kind: 'handoff.installed'; tenantId: string; batchId: string; deviceId: string; mac: string }
  /** A technician reported a problem with a device of a hand-off: the admins hear of it; its cards are redrawn. */
  | { kind: 'handoff.problem'; tenantId: string; batchId: string; deviceId: string; mac: string; location: string | null; technician: string; note: string | null }
  /** The managers' daily digest for a local day is due. */
  | { kind: 'digest.due'; tenantId: string; day: string }
  /** SIP Gateway bulk sign-in (services/sip/): items of a batch finished; its card is redrawn. */
  | { kind: 'sip.batch_progress'; tenantId: string; batchId: string }
  /** A SIP batch completed: its card is redrawn and a summary posted. */
  | { kind: 'sip.batch_completed'; tenantId: string; batchId: string }
  /** A SIP batch made no progress for 30 minutes: said once. */
  | { kind: 'sip.batch_stuck'; tenantId: string; batchId: string; since: string }
  /** SIP accounts whose sign-in deadline comes within a lead (48 h, 66 h after onboarding), or has passed (leadHours null). */
  | { kind: 'sip.deadline'; tenantId: string; leadHours: number | null; deadline: string; accounts: { username: string; hardwareId: string }[] }
  /** A device with a valid code was refused: its firmware is below its model's minimum (FIRMWARE_BELOW_MINIMUM=block). */
  | { kind: 'firmware.provision_refused'; tenantId: string; deviceId: string; mac: string; location: string | null; model: string | null; firmwareVersion: string | null; minimum: string; family: string }
  /** Updates of one batch (a location or a model) were scheduled or moved on: its card is posted or redrawn. */
  | { kind: 'firmware.batch_changed'; tenantId: string; batchKey: string }
  /** One device's update failed (said once per device and attempt). */
  | { kind: 'firmware.update_failed'; tenantId: string; updateId: string; deviceId: string; mac: string; version: string; attempt: number; detail: string | null };

export type DomainEventKind = DomainEvent['kind'];

/** Every event kind, for what must check a name at run time (the step table's test). */
export const domainEventKinds = [
  'devices.registered',
  'codes.issued',
  'device.provisioned',
  'device.locked_out',
  'source.blocked',
  'sign_in.requested',
  'sign_in.code_ready',
  'sign_in.lapsed',
  'sign_in.account_mismatch',
  'sign_in.marked_done',
  'device.signed_in',
  'code.expired',
  'device.reset',
  'codes.expiring',
  'codes.expired',
  'devices.stale',
  'digest.due',
  'handoff.installed',
  'handoff.problem',
  'sip.batch_progress',
  'sip.batch_completed',
  'sip.batch_stuck',
  'sip.deadline',
  'firmware.provision_refused',
  'firmware.batch_changed',
  'firmware.update_failed',
] as const satisfies readonly DomainEventKind[];

// A kind added to DomainEvent but not listed above fails to compile here.
const everyKindListed: Exclude<DomainEventKind, (typeof domainEventKinds)[number]> extends never ? true : false = true;
void everyKindListed;
