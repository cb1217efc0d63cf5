// The reads the events of one delivery run share (services/notifications/delivery-ports.ts,
// PlanningRun): the facts of the run's provisioned devices, read for all of them at once
// (services/notifications/planning-reads.ts), and the stored conversations the run's cards go to.
// Without a run (a test planning one event), each read is made for the event alone.
import type { Services } from '../../services/index.ts';
import type { PlanningRun } from '../../services/notifications/delivery-ports.ts';
import type { DeviceFacts } from '../../services/notifications/planning-reads.ts';
import type { StoredConversation } from '../../services/conversations/conversation-repository.ts';
import type { Audience } from '../../services/conversations/conversation-service.ts';

/** `read` once per run under `key` (each time without a run). */
export function sharedInRun<T>(run: PlanningRun | undefined, key: string, read: () => Promise<T>): Promise<T> {
  return run ? run.once(key, read) : read();
}

/**
 * The facts of a device a device.provisioned event of the run reports, read with those of the
 * run's other provisioned devices of the tenant; null when the device is not one of them (or
 * is gone): the caller then reads for it alone.
 */
export async function provisionedDeviceFacts(services: Services, run: PlanningRun | undefined, tenantId: string, deviceId: string): Promise<DeviceFacts | null> {
  if (!run) return null;
  const ids = run.events.flatMap((event) => (event.kind === 'device.provisioned' && event.tenantId === tenantId ? [event.deviceId] : []));
  if (!ids.includes(deviceId)) return null;
  const facts = await run.once(`provisioned-device-facts:${tenantId}`, () => services.planningReads.devices(tenantId, ids));
  return facts.get(deviceId) ?? null;
}

/** The tenant's conversation for the audience, read once per run. */
export function audienceInRun(services: Services, run: PlanningRun | undefined, tenantId: string, audience: Audience): Promise<StoredConversation | null> {
  return sharedInRun(run, `audience:${tenantId}:${audience}`, () => services.conversations.findAudience(tenantId, audience));
}

/** A stored conversation, read once per run. */
export function conversationInRun(services: Services, run: PlanningRun | undefined, tenantId: string, channelId: string, conversationId: string): Promise<StoredConversation | null> {
  return sharedInRun(run, `conversation:${tenantId}:${channelId}\u0000${conversationId}`, () => services.conversations.find(tenantId, channelId, conversationId));
}
