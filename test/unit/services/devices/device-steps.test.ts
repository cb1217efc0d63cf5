import { describe, expect, it } from 'vitest';
import { deviceStatusView } from '../../../../bot/views/device-views.ts';
import { deviceStates, type DeviceState } from '../../../../services/devices/device-state.ts';
import {
  allowedMoves,
  canTransition,
  currentAuditAction,
  deviceAuditActions,
  deviceRecords,
  deviceStepNames,
  deviceSteps,
  renamedAuditActions,
} from '../../../../services/devices/device-steps.ts';
import { domainEventKinds } from '../../../../services/notifications/domain-events.ts';

const pairs = deviceStates.flatMap((from) => deviceStates.map((to) => [from, to] as [DeviceState, DeviceState]));
const allowed = new Set(allowedMoves().map(({ from, to }) => `${from}→${to}`));

/** "code.issued" → "codes.issued": the name of one event about a batch of the audited thing. */
const plural = (action: string) => action.replace(/^([^.]+)\./, '$1s.');

describe('the device step table', () => {
  it('draws the life of a device as ARCHITECTURE.md does', () => {
    expect([...allowed].sort()).toEqual(
      [
        'registered→code_issued',
        'code_issued→awaiting_sign_in',
        'awaiting_sign_in→signing_in',
        'signing_in→signed_in',
        'code_issued→registered',
        'signing_in→awaiting_sign_in',
        ...deviceStates.map((from) => `${from}→registered`),
      ]
        .filter((move, index, all) => all.indexOf(move) === index)
        .sort(),
    );
  });

  it.each(allowedMoves().map(({ from, to, step }) => [step, from, to]))('%s: %s → %s is allowed', (_step, from, to) => {
    expect(canTransition(from as DeviceState, to as DeviceState)).toBe(true);
  });

  it.each(pairs.filter(([from, to]) => !allowed.has(`${from}→${to}`)))('%s → %s is refused: no step takes it', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  it.each(deviceStepNames)('step %s: starts from known states and goes somewhere else (only a reset, from anywhere, may start where it ends)', (name) => {
    const step = deviceSteps[name];
    expect(step.from.length).toBeGreaterThan(0);
    for (const from of step.from) expect(deviceStates).toContain(from);
    expect(deviceStates).toContain(step.to);
    if (step.from.length < deviceStates.length) expect(step.from).not.toContain(step.to);
  });

  it.each(deviceStepNames)('step %s: its event exists, and its audit action has the same name (plural for a batch event)', (name) => {
    const step = deviceSteps[name];
    expect(domainEventKinds).toContain(step.event);
    expect(step.audit).toMatch(/^[a-z_]+\.[a-z_]+$/);
    expect(step.event).toBe(step.eventPer === 'device' ? step.audit : step.event === step.audit ? step.audit : plural(step.audit));
  });

  it.each(Object.entries(deviceRecords))('record %s (no move): its event, if any, exists and agrees with its audit action', (_name, record) => {
    if (!('event' in record)) return;
    expect(domainEventKinds).toContain(record.event);
    expect([record.audit, plural(record.audit)]).toContain(record.event);
  });

  it('no two steps or records write the same audit action', () => {
    const actions = [...Object.values(deviceSteps), ...Object.values(deviceRecords)].map((entry) => entry.audit);
    const twice = actions.filter((action, index) => actions.indexOf(action) !== index);
    expect(twice).toEqual([]);
  });

  it('an audit action stored under a former name reads under its current one', () => {
    for (const [old, current] of Object.entries(renamedAuditActions)) {
      expect(deviceAuditActions).toContain(current);
      expect(deviceAuditActions).not.toContain(old);
      expect(currentAuditAction(old)).toBe(current);
    }
    expect(currentAuditAction('device.reset')).toBe('device.reset');
  });

  it('every audit action, current or former, has a sentence on the device status card', () => {
    const actions = [...deviceAuditActions, ...Object.keys(renamedAuditActions)];
    const view = deviceStatusView(
      {
        device: { id: 'd', tenantId: 't', mac: '00-04-F2-81-24-B3', location: null, model: null, firmwareVersion: null, state: 'registered', stateChangedAt: new Date(0), signedInAccount: null } as never,
        timeline: actions.map((action) => ({ at: new Date(0), actor: 'system', actorName: null, action, fromState: null, toState: null, reason: null, data: null })),
      },
      'UTC',
    );
    const unlabelled = view.timeline.map((entry) => entry.text).filter((text) => actions.some((action) => text.includes(action)));
    expect(unlabelled).toEqual([]);
  });
});
