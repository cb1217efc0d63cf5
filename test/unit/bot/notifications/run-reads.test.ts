// The reads a delivery run's events share (bot/notifications/run-reads.ts): the facts of the
// run's provisioned devices are read once per tenant and run, for exactly those devices; a
// device the run's events do not report as provisioned, or an event planned without a run,
// reads for itself (null here).
import { describe, expect, it } from 'vitest';
import { audienceInRun, provisionedDeviceFacts } from '../../../../bot/notifications/run-reads.ts';
import type { Services } from '../../../../services/index.ts';
import { newPlanningRun } from '../../../../services/notifications/delivery-ports.ts';
import type { DomainEvent } from '../../../../services/notifications/domain-events.ts';
import type { DeviceFacts } from '../../../../services/notifications/planning-reads.ts';

const provisioned = (tenantId: string, deviceId: string): DomainEvent => ({ kind: 'device.provisioned', tenantId, deviceId, mac: '02-00-00-00-00-01', location: null, model: null, firmwareVersion: null });

function countingServices() {
  const reads: { tenantId: string; ids: string[] }[] = [];
  let audienceReads = 0;
  const services = {
    planningReads: {
      async devices(tenantId: string, ids: readonly string[]) {
        reads.push({ tenantId, ids: [...ids] });
        return new Map(ids.map((id) => [id, { plannedAccount: `account of ${id}` } as unknown as DeviceFacts]));
      },
    },
    conversations: {
      async findAudience() {
        audienceReads++;
        return null;
      },
    },
  } as unknown as Services;
  return { services, reads, audienceReads: () => audienceReads };
}

describe('the reads of a delivery run', () => {
  it("reads the run's provisioned devices of a tenant once, for all of them", async () => {
    const { services, reads } = countingServices();
    const run = newPlanningRun([provisioned('t1', 'd1'), { kind: 'sign_in.lapsed', tenantId: 't1', deviceId: 'd9', mac: 'x' }, provisioned('t1', 'd2'), provisioned('t2', 'd3')]);
    expect((await provisionedDeviceFacts(services, run, 't1', 'd1'))?.plannedAccount).toBe('account of d1');
    expect((await provisionedDeviceFacts(services, run, 't1', 'd2'))?.plannedAccount).toBe('account of d2');
    expect((await provisionedDeviceFacts(services, run, 't2', 'd3'))?.plannedAccount).toBe('account of d3');
    expect(reads).toEqual([
      { tenantId: 't1', ids: ['d1', 'd2'] },
      { tenantId: 't2', ids: ['d3'] },
    ]);
  });

  it('answers null (the caller reads for itself) for a device no provisioned event of the run names, and without a run', async () => {
    const { services, reads } = countingServices();
    const run = newPlanningRun([provisioned('t1', 'd1'), { kind: 'sign_in.lapsed', tenantId: 't1', deviceId: 'd9', mac: 'x' }]);
    expect(await provisionedDeviceFacts(services, run, 't1', 'd9')).toBeNull();
    expect(await provisionedDeviceFacts(services, run, 't2', 'd1')).toBeNull();
    expect(await provisionedDeviceFacts(services, undefined, 't1', 'd1')).toBeNull();
    expect(reads).toEqual([]);
  });

  it('reads an audience once per run, and for each event without one', async () => {
    const counting = countingServices();
    const run = newPlanningRun();
    await audienceInRun(counting.services, run, 't1', 'admins');
    await audienceInRun(counting.services, run, 't1', 'admins');
    expect(counting.audienceReads()).toBe(1);
    await audienceInRun(counting.services, undefined, 't1', 'admins');
    await audienceInRun(counting.services, undefined, 't1', 'admins');
    expect(counting.audienceReads()).toBe(3);
  });
});
