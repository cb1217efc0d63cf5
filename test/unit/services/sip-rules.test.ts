// The pure rules of SIP Gateway bulk sign-in: HardwareIds (MACs and ATA ports), the error
// catalog (every documented error has a remediation, an unknown one is kept verbatim),
// deadlines (72 h / 168 h, warnings at 48 h and 66 h) and batching (100 per region).
import { describe, expect, it } from 'vitest';
import { splitIntoBatches } from '../../../services/sip/batching.ts';
import { deadlineOf, dueWarnings, oldestDeadline } from '../../../services/sip/deadlines.ts';
import { explainSipError, sipErrorCatalog } from '../../../services/sip/error-catalog.ts';
import { parseHardwareId } from '../../../services/sip/hardware-id.ts';

const hour = 3_600_000;

describe('HardwareId', () => {
  it.each([
    ['1a:2b:3c:d4:e5:f6', '1A-2B-3C-D4-E5-F6'],
    ['1A2B.3CD4.E5F6', '1A-2B-3C-D4-E5-F6'],
    ['1a2b3cd4e5f6', '1A-2B-3C-D4-E5-F6'],
    ['1A-2B-3C-D4-E5-F6:001', '1A-2B-3C-D4-E5-F6:001'],
    ['1a:2b:3c:d4:e5:f6:012', '1A-2B-3C-D4-E5-F6:012'],
  ])('%s is stored as %s', (raw, stored) => {
    expect(parseHardwareId(raw)).toEqual({ ok: true, hardwareId: stored });
  });

  it.each([
    ['1A-2B-3C-D4-E5-F6:000', /ports count from 001/],
    ['1A-2B-3C-D4-E5-F6:0001', /has 4 digits; write it with 3/],
    ['1A-2B-3C-D4-E5-G6', /'G', which is not a hex digit/],
    ['1A-2B-3C-D4-E5-ZZ:001', /the MAC before the port contains 'Z'/],
    ['', /empty/],
  ])('%s is refused: %s', (raw, reason) => {
    const parsed = parseHardwareId(raw);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).toMatch(reason);
  });
});

describe('the error catalog', () => {
  it.each([
    ['User not found in tenant.', 'user_not_found'],
    ['Device is offline.', 'device_offline'],
    ['DEVICE NOT FOUND', 'device_not_found'],
    ['The user has no phone number assigned.', 'missing_phone_number'],
    ['AllowSIPDevicesCalling is not enabled in the calling policy.', 'missing_calling_policy'],
    ['CommonAreaPhone IP phone policy missing.', 'missing_ip_phone_policy'],
    ['BulkSignIn tag missing for device.', 'bulk_sign_in_tag_missing'],
    ['Public IP is not a Trusted IP.', 'not_trusted_ip'],
    ['Deadline expired for the device.', 'deadline_expired'],
    ['Duplicate devices found', 'duplicate_devices'],
    ['Input hardware-ID is of wrong format', 'wrong_hardware_id_format'],
    ['On-premises AD configuration failure.', 'onprem_ad_failure'],
    ['On-premises AD throttling.', 'onprem_ad_throttled'],
    ['Password write-back failure.', 'password_writeback_failure'],
  ])('"%s" is %s, with a remediation', (text, code) => {
    const explained = explainSipError(text);
    expect(explained.code).toBe(code);
    expect(explained.text).toBe(text);
    expect(explained.remediation?.length).toBeGreaterThan(20);
  });

  it('every entry of the catalog is reached by one of its own phrases', () => {
    for (const entry of sipErrorCatalog) expect(explainSipError(`x ${entry.phrases[0]} y`).code).toBe(entry.code);
  });

  it('keeps an unknown error as Microsoft wrote it, without a remediation', () => {
    expect(explainSipError('Something new happened (0x8004).')).toEqual({ code: 'unknown', text: 'Something new happened (0x8004).', remediation: null });
  });

  it('offers a smaller batch for throttling', () => {
    expect(explainSipError('On-premises AD throttling.').remediation).toMatch(/smaller batch.*sip retry size 20/);
  });
});

describe('deadlines', () => {
  const onboardedAt = new Date('2026-12-07T09:00:00Z');
  it('is 72 h after onboarding, 168 h after a sign-out', () => {
    expect(deadlineOf({ onboardedAt, deadlineKind: 'onboarded' })).toEqual(new Date(onboardedAt.getTime() + 72 * hour));
    expect(deadlineOf({ onboardedAt, deadlineKind: 'signed_out' })).toEqual(new Date(onboardedAt.getTime() + 168 * hour));
    expect(deadlineOf({ onboardedAt: null, deadlineKind: 'onboarded' })).toBeNull();
  });

  it('warns at 48 h and 66 h, each lead once, and not after the deadline', () => {
    const at = (hours: number) => new Date(onboardedAt.getTime() + hours * hour);
    const account = { onboardedAt, deadlineKind: 'onboarded', warnedLeads: '' };
    expect(dueWarnings(account, at(47.9))).toEqual([]);
    expect(dueWarnings(account, at(48))).toEqual([48]);
    expect(dueWarnings({ ...account, warnedLeads: '48' }, at(60))).toEqual([]);
    expect(dueWarnings({ ...account, warnedLeads: '48' }, at(66))).toEqual([66]);
    expect(dueWarnings(account, at(72))).toEqual([]);
    // A signed-out device: the same distance before its 168 h deadline.
    expect(dueWarnings({ ...account, deadlineKind: 'signed_out' }, at(143))).toEqual([]);
    expect(dueWarnings({ ...account, deadlineKind: 'signed_out' }, at(144))).toEqual([48]);
  });

  it('the oldest deadline ignores accounts already signed in', () => {
    const later = new Date(onboardedAt.getTime() + hour);
    expect(oldestDeadline([{ onboardedAt, deadlineKind: 'onboarded', status: 'succeeded' }, { onboardedAt: later, deadlineKind: 'onboarded', status: 'failed' }])).toEqual(new Date(later.getTime() + 72 * hour));
  });
});

describe('batching', () => {
  it('splits per region into batches of at most 100, in order', () => {
    const accounts = Array.from({ length: 250 }, (_, index) => ({ id: index, region: index % 5 === 0 ? ('NOAM' as const) : ('EMEA' as const) }));
    const batches = splitIntoBatches(accounts);
    expect(batches.map((batch) => [batch.region, batch.accounts.length])).toEqual([['NOAM', 50], ['EMEA', 100], ['EMEA', 100]]);
    expect(splitIntoBatches(accounts, 20).every((batch) => batch.accounts.length <= 20)).toBe(true);
  });
});
