// A SIP Gateway in the process (SIP_GATEWAY=simulated, the default): behaves like the documented
// one so the quick start, demos and tests work without Microsoft. A batch takes seconds: its
// items finish one by one, `itemMs` apart, from the time it was submitted; at most 100 items per
// batch and 3 unfinished batches per region (a fourth is refused, as the gateway does). Outcomes
// come from the scenario (SIP_SIMULATOR_SCENARIO): "success" or the documented error message,
// success for a HardwareId it does not list. Batches are kept in the store (SipSimulatedBatch),
// so after a restart the bot finds them where Microsoft would still have them.
import { randomUUID } from 'node:crypto';
import type { Database } from '../../prisma/store.ts';
import type { Clock } from '../../services/shared/clock.ts';
import { maxBatchSize, maxRunningBatchesPerRegion } from '../../services/sip/batching.ts';
import { SipGatewayError, type SipBatchItemInput, type SipBatchStatus, type SipGateway } from '../../services/sip/sip-gateway.ts';
import type { SipScenario } from './sip-config.ts';

/** How long the simulated gateway takes per item: 100 items in 5 seconds. */
export const simulatedItemMs = 50;

export function createSimulatedSipGateway(db: Database, clock: Clock, scenario: SipScenario, itemMs = simulatedItemMs): SipGateway {
  const finishesAt = (submittedAt: Date, items: number) => submittedAt.getTime() + items * itemMs;

  return {
    name: 'simulated',
    answersQuickly: true,
    async submit(tenantId, region, items) {
      if (items.length > maxBatchSize) throw new SipGatewayError('too_large', `A batch holds at most ${maxBatchSize} devices; this one has ${items.length}.`);
      const seen = new Set<string>();
      for (const item of items) {
        if (seen.has(item.hardwareId)) throw new SipGatewayError('too_large', 'Duplicate devices found.');
        seen.add(item.hardwareId);
      }
      const now = clock.now();
      const recent = await db.sipSimulatedBatch.findMany({ where: { tenantId, region, submittedAt: { gt: new Date(now.getTime() - maxBatchSize * itemMs) } } });
      const unfinished = recent.filter((batch) => finishesAt(batch.submittedAt, (JSON.parse(batch.items) as unknown[]).length) > now.getTime());
      if (unfinished.length >= maxRunningBatchesPerRegion) {
        throw new SipGatewayError('too_many_batches', `At most ${maxRunningBatchesPerRegion} bulk sign-in batches may run at once in ${region}; wait for one to complete.`);
      }
      const id = randomUUID();
      const stored: SipBatchItemInput[] = items.map(({ username, hardwareId }) => ({ username, hardwareId }));
      await db.sipSimulatedBatch.create({ data: { id, tenantId, region, submittedAt: now, items: JSON.stringify(stored) } });
      return { batchId: id };
    },
    async status(tenantId, batchId): Promise<SipBatchStatus> {
      const batch = await db.sipSimulatedBatch.findFirst({ where: { id: batchId, tenantId } });
      if (!batch) throw new SipGatewayError('not_found', `Batch ${batchId} not found.`);
      const items = JSON.parse(batch.items) as SipBatchItemInput[];
      const elapsed = clock.now().getTime() - batch.submittedAt.getTime();
      const done = Math.min(items.length, Math.max(0, Math.floor(elapsed / itemMs)));
      return {
        status: done === items.length ? 'Completed' : 'Running',
        items: items.map((item, index) => {
          if (index >= done) return { ...item, status: 'InProgress', error: null };
          const outcome = scenario[item.hardwareId] ?? 'success';
          return outcome.toLowerCase() === 'success' ? { ...item, status: 'Success', error: null } : { ...item, status: 'Failed', error: outcome };
        }),
      };
    },
  };
}
