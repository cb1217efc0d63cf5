// What happened in the domain that another part of the bot must react to (cards, jobs).
// Events carry facts, never secrets: no verification code, token or login code plaintext.
export type DomainEvent =
  | { kind: 'devices.registered'; tenantId: string; actor: string; macs: string[] }
  | { kind: 'codes.issued'; tenantId: string; actor: string; batchId: string; devices: { mac: string; location: string | null; expiresAt: string }[] }
  | { kind: 'device.provisioned'; tenantId: string; deviceId: string; mac: string; location: string | null; model: string | null; firmwareVersion: string | null }
  | { kind: 'device.locked_out'; tenantId: string; mac: string; until: string }
  | { kind: 'sign_in.requested'; tenantId: string; actor: string; deviceId: string; mac: string; account: string | null }
  | { kind: 'sign_in.code_ready'; tenantId: string; deviceId: string; mac: string; account: string | null; expiresAt: string }
  | { kind: 'sign_in.lapsed'; tenantId: string; deviceId: string; mac: string }
  | { kind: 'device.signed_in'; tenantId: string; deviceId: string; mac: string; account: string }
  | { kind: 'code.expired'; tenantId: string; deviceId: string; mac: string }
  | { kind: 'device.reset'; tenantId: string; actor: string; deviceId: string; mac: string };

export type DomainEventKind = DomainEvent['kind'];
