// Who hears about firmware events, and what they see:
//   firmware.provision_refused → the admins channel: the device, its firmware and the minimum; the
//                                technicians channel: what to do on site (update, same code again)
//   firmware.batch_changed     → the batch's update card in the admins channel, posted once and
//                                then redrawn in place from the current counts
//   firmware.update_failed     → the admins channel, once per device and attempt (the event's
//                                dedupe key is the update id; a retry is a new update)
import type { DomainEvent } from '../../services/notifications/domain-events.ts';
import type { Services } from '../../services/index.ts';
import { provisionRefusedTechnicianView, provisionRefusedView, updateBatchView, updateFailedView } from '../views/firmware-views.ts';
import { view } from '../views/reply.ts';
import type { PlannedDelivery } from './outgoing-message.ts';

type EventOf<K extends DomainEvent['kind']> = Extract<DomainEvent, { kind: K }>;
type FirmwareEvent = EventOf<'firmware.provision_refused'> | EventOf<'firmware.batch_changed'> | EventOf<'firmware.update_failed'>;

export async function planFirmwareEvent(services: Services, event: FirmwareEvent): Promise<PlannedDelivery[]> {
  const { tenantId } = event;
  const admins = await services.conversations.findAudience(tenantId, 'admins');
  switch (event.kind) {
    case 'firmware.provision_refused': {
      const technicians = await services.conversations.findAudience(tenantId, 'technicians');
      const deliveries: PlannedDelivery[] = [];
      if (admins) deliveries.push({ key: `firmware-refused:${event.deviceId}:${admins.channelId}:${admins.conversationId}`, conversation: admins, message: { view: view('blocks', provisionRefusedView(event)) } });
      if (technicians && technicians.conversationId !== admins?.conversationId) {
        deliveries.push({ key: `firmware-refused-technicians:${event.deviceId}:${technicians.channelId}:${technicians.conversationId}`, conversation: technicians, message: { view: view('blocks', provisionRefusedTechnicianView(event)) } });
      }
      return deliveries;
    }
    case 'firmware.update_failed': {
      if (!admins) return [];
      return [{ key: `update-failed:${event.updateId}:${admins.channelId}:${admins.conversationId}`, conversation: admins, message: { view: view('blocks', updateFailedView(event)) } }];
    }
    case 'firmware.batch_changed': {
      const drawn = view('blocks', updateBatchView(await services.firmware.updates.batchProgress(tenantId, event.batchKey)));
      const posted = await services.postedCards.find(tenantId, 'update_batch', event.batchKey);
      const deliveries: PlannedDelivery[] = [];
      for (const where of posted) {
        const conversation = await services.conversations.find(tenantId, where.channelId, where.conversationId);
        if (conversation) deliveries.push({ key: `redraw-update_batch-${where.activityId}:${conversation.conversationId}`, conversation, message: { view: drawn }, update: { activityId: where.activityId } });
      }
      if (posted.length === 0 && admins) {
        deliveries.push({
          key: `update-batch:${event.batchKey}:${admins.channelId}:${admins.conversationId}`,
          conversation: admins,
          message: { view: drawn },
          onPosted: (activityId: string) => services.postedCards.remember(tenantId, 'update_batch', event.batchKey, { channelId: admins.channelId, conversationId: admins.conversationId, activityId }),
        });
      }
      return deliveries;
    }
  }
}
