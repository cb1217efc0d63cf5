import { describe, expect, it } from 'vitest';
import { deviceStatusView, historyLine } from '../../../../bot/views/device-views.ts';
import type { AuditRecord } from '../../../../services/devices/audit-log.ts';

const row = (action: string, actor: string, actorName: string | null = null, data: Record<string, unknown> | null = null): AuditRecord => ({
  at: new Date('2026-11-23T09:00:00Z'),
  actor,
  actorName,
  action,
  fromState: null,
  toState: null,
  reason: null,
  data,
});

const mac = '00-04-F2-81-24-B3';

describe("a device's history", () => {
  it('names the person who did a step, not "an admin or technician"', () => {
    expect(historyLine(row('code.issued', 'user:aad-alex', 'Alex Wilber'))).toBe('Alex Wilber issued a code');
    expect(historyLine(row('device.registered', 'user:aad-megan', 'Megan Bowen'))).toBe('Megan Bowen registered the device');
    expect(historyLine(row('handoff.problem', 'user:aad-alex', 'Alex Wilber', { note: 'no PoE on port 12' }))).toBe('Alex Wilber reported a problem: no PoE on port 12');
  });

  it('says "someone" when no name is known for a person', () => {
    expect(historyLine(row('code.issued', 'user:aad-unknown'))).toBe('Someone issued a code');
  });

  it('says where a device moved from and to', () => {
    expect(historyLine(row('device.location_changed', 'user:aad-megan', 'Megan Bowen', { from: 'Building A Floor 2', to: 'Building A Floor 3' }))).toBe(
      'Megan Bowen moved the device from Building A Floor 2 to Building A Floor 3',
    );
    expect(historyLine(row('device.location_changed', 'user:aad-megan', 'Megan Bowen', { from: null, to: 'Lobby' }))).toBe('Megan Bowen moved the device from no location to Lobby');
  });

  it("says \"the device\" for the device's own steps, and the bot for its jobs", () => {
    const device = `device:${mac}`;
    expect(historyLine(row('device.provisioned', device))).toBe('The device took its code: a technician activated it');
    expect(historyLine(row('sign_in.code_ready', device))).toBe('The device showed a login code');
    expect(historyLine(row('sign_in.code_reported', device))).toBe('The device showed a login code');
    expect(historyLine(row('device.signed_in', device, null, { account: 'lobby@contoso.com' }))).toBe('The device signed in as lobby@contoso.com');
    expect(historyLine(row('device.reset', device))).toBe('The device was factory reset');
    expect(historyLine(row('device.reset', 'user:aad-alex', 'Alex Wilber'))).toBe('Alex Wilber factory reset the device');
    expect(historyLine(row('code.expired', 'job:code-expiry'))).toBe('The code expired unused');
    expect(historyLine(row('sign_in.lapsed', 'system'))).toBe('The login code expired unused');
  });

  it('is drawn on the status card as one sentence per step', () => {
    const view = deviceStatusView(
      {
        device: { id: 'd', tenantId: 't', mac, location: 'Lobby', model: null, firmwareVersion: null, state: 'code_issued', stateChangedAt: new Date(0), signedInAccount: null } as never,
        timeline: [row('device.registered', 'user:aad-megan', 'Megan Bowen'), row('code.issued', 'user:aad-alex', 'Alex Wilber')],
      },
      'UTC',
    );
    expect(view.timeline.map((entry) => entry.text)).toEqual(['Megan Bowen registered the device', 'Alex Wilber issued a code']);
    expect(JSON.stringify(view)).not.toContain('an admin or technician');
  });
});
