// Who hears about each domain event, and what they see:
//   codes.issued        → the hand-off card(s), posted to the technicians channel, or by direct message to the
//                         technicians assigned to a location (./handoff-deliveries.ts)
//   device.provisioned  → the hand-off cards showing the device redrawn ("7 of 12 online"); the awaiting sign-in card
//                         posted to the admins channel, or else to the issuing admin's chat
//   sign_in.*, device.signed_in, device.reset → a queued device's location queue card, posted when its first
//                         code is ready, then redrawn in place (./sign-in-queue-deliveries.ts)
//   sign_in.*, device.signed_in → every copy of the device's sign-in cards (and of its status
//                         cards that offered a next step) redrawn; the code, if no card exists yet
//   device.reset, code.expired  → hand-off and sign-in cards redrawn
//   device.locked_out   → a warning to the admins (at most one per organisation and 15 minutes)
//   sign_in.account_mismatch → a warning to the admins (the device reported another account; refused)
//   source.blocked      → a warning to the admins channel: one address guessed codes (once per incident)
//   handoff.installed   → hand-off cards redrawn
//   handoff.problem     → hand-off cards redrawn; a card to the admins channel, or else to the
//                         personal chat of the admin who issued the hand-off
//   sip.*               → the SIP batch card in the admins channel, posted then redrawn in place,
//                         its completion summary, a stuck batch, deadline warnings (plan-sip.ts)
//   firmware.*          → ./firmware-notifications.ts (update cards per batch, failures, refusals)
import { principalOfActorLabel } from '../../services/auth/principal.ts';
import type { StoredConversation } from '../../services/conversations/conversation-repository.ts';
import type { Services } from '../../services/index.ts';
import type { DomainEvent } from '../../services/notifications/domain-events.ts';
import type { PostedCardKind, PostedCardRef } from '../../services/notifications/posted-cards.ts';
import type { DeviceFacts } from '../../services/notifications/planning-reads.ts';
import type { NotificationPlanner, PlannedDelivery } from './outgoing-message.ts';
import type { PlanningRun } from '../../services/notifications/delivery-ports.ts';
import { currentSignInView, currentStatusView } from './current-cards.ts';
import { createHandoffDeliveries } from './handoff-deliveries.ts';
import { createSignInQueueDeliveries } from './sign-in-queue-deliveries.ts';
import { audienceInRun, conversationInRun, provisionedDeviceFacts } from './run-reads.ts';
import { view, type View } from '../views/reply.ts';
import { formatTime } from '../views/time.ts';
import { problemReportedView } from '../views/problem-view.ts';
import { accountMismatchView } from '../views/sign-in-views.ts';
import { planCodesExpired, planCodesExpiring, planDevicesStale, planDigestDue } from './plan-jobs.ts';
import { planSip } from './plan-sip.ts';
import { planFirmwareEvent } from './firmware-notifications.ts';

/**
 * A device locked out after wrong codes from one address: what happened, until when, and the
 * way out (a new code or `unlock`). One notice per organisation and 15 minutes: later lockouts
 * in that window are not posted one by one.
 */
function lockoutView(mac: string, location: string | null, until: Date, timeZone: string, source: string | undefined): View {
  const from = source ? ` from ${source}` : '';
  const where = location ? ` (${location})` : '';
  return view('blocks', {
    title: 'Device locked out',
    summary: `Device ${mac}${where} is locked out after 5 wrong verification codes${from}.`,
    blocks: [
      { kind: 'notice', style: 'attention', text: `Device ${mac}${where} is locked out after 5 wrong verification codes${from}, until ${formatTime(until, timeZone)}. Devices elsewhere can still use their codes.` },
      { kind: 'text', text: `If the technician has the right code, they can try again then, or an admin can clear it now with "unlock ${mac}"; otherwise issue a new one with "codes ${mac}" (a new code clears the lock). Other lockouts in the next 15 minutes are not posted separately.` },
    ],
    actions: [{ label: 'Issue a new code', dialog: 'codes', data: { target: 'macs', macs: mac } }],
  });
}

/** One network address sent too many wrong codes, some at this organisation's devices: said once per incident. */
function sourceBlockedView(event: { source: string; failures: number; macs: number; until: string }, timeZone: string): View {
  return view('blocks', {
    title: 'Wrong codes from one address refused',
    summary: `${event.failures} wrong verification codes from ${event.source}; refused until ${formatTime(new Date(event.until), timeZone)}.`,
    blocks: [
      { kind: 'notice', style: 'attention', text: `${event.failures} wrong verification codes came from ${event.source} within 15 minutes, at ${event.macs} ${event.macs === 1 ? 'device' : 'devices'} of yours among others. Codes from that address are refused until ${formatTime(new Date(event.until), timeZone)}; devices elsewhere are not affected.` },
      { kind: 'text', text: 'If this is not a site of yours, someone may be guessing codes: consider issuing new codes for the devices still waiting for provisioning.' },
    ],
  });
}

export function createNotificationPlanner(services: Services): NotificationPlanner {
  const { conversations, postedCards } = services;

  const keyOf = (purpose: string, conversation: StoredConversation) => `${purpose}:${conversation.channelId}:${conversation.conversationId}`;

  const remembering = (tenantId: string, kind: PostedCardKind, subject: string, conversation: StoredConversation) => async (activityId: string) =>
    postedCards.remember(tenantId, kind, subject, { channelId: conversation.channelId, conversationId: conversation.conversationId, activityId });

  /** Every posted copy of a card, to redraw in place. `known`: the copies, when the event's run read them. */
  async function redraw(tenantId: string, kind: PostedCardKind, subject: string, draw: () => Promise<View>, run?: PlanningRun, known?: readonly PostedCardRef[]): Promise<PlannedDelivery[]> {
    const posted = known ?? (await postedCards.find(tenantId, kind, subject));
    if (posted.length === 0) return [];
    const drawn = await draw();
    const deliveries: PlannedDelivery[] = [];
    for (const where of posted) {
      const conversation = await conversationInRun(services, run, tenantId, where.channelId, where.conversationId);
      if (!conversation) continue;
      deliveries.push({ key: `redraw-${kind}-${where.activityId}:${conversation.conversationId}`, conversation, message: { view: drawn }, update: { activityId: where.activityId } });
    }
    return deliveries;
  }

  const handoffs = createHandoffDeliveries(services);
  /** `run`: the reads the events of one delivery run share (services/notifications/delivery-ports.ts). */
  const redrawHandoffs = (tenantId: string, deviceId: string, run: PlanningRun | undefined, facts?: DeviceFacts | null) => handoffs.redraw(tenantId, deviceId, run, facts?.handoffBatches);

  const redrawStatus = (tenantId: string, deviceId: string, mac: string, run?: PlanningRun, facts?: DeviceFacts | null) =>
    redraw(tenantId, 'status', deviceId, () => currentStatusView(services, tenantId, mac), run, facts?.statusCards);

  /** Every copy of the device's sign-in cards and of its status cards that offered a next step. */
  const redrawSignIn = async (tenantId: string, deviceId: string, mac: string) => [
    ...(await redraw(tenantId, 'sign_in', deviceId, () => currentSignInView(services, tenantId, mac))),
    ...(await redrawStatus(tenantId, deviceId, mac)),
  ];

  /** The admins channel, or else the personal chat of the admin who issued the device's codes. */
  async function admins(tenantId: string, deviceId: string, run?: PlanningRun): Promise<StoredConversation | null> {
    const channel = await audienceInRun(services, run, tenantId, 'admins');
    if (channel) return channel;
    for (const batchId of await services.devices.handoffs.batchesOfDevice(tenantId, deviceId)) {
      const issuedBy = (await services.devices.handoffs.issuerOf(tenantId, batchId)) ?? '';
      const issuer = principalOfActorLabel(issuedBy);
      const chat = issuer ? await conversations.findPersonalChat(tenantId, issuer) : null;
      if (chat) return chat;
    }
    return null;
  }

  /** The admins channel, or else the personal chat of the admin who issued this hand-off. */
  async function adminsOfHandoff(tenantId: string, batchId: string): Promise<StoredConversation | null> {
    const channel = await conversations.findAudience(tenantId, 'admins');
    if (channel) return channel;
    const issuer = principalOfActorLabel((await services.devices.handoffs.issuerOf(tenantId, batchId)) ?? '');
    return issuer ? conversations.findPersonalChat(tenantId, issuer) : null;
  }

  // Devices in a location's sign-in queue are shown on its queue card, not one card each.
  const queueCards = createSignInQueueDeliveries(services, admins);

  return async (event: DomainEvent, run?: PlanningRun): Promise<PlannedDelivery[]> => {
    const { tenantId } = event;
    switch (event.kind) {
      case 'codes.issued': {
        const technicians = await conversations.findAudience(tenantId, 'technicians');
        return handoffs.post(tenantId, event.batchId, technicians);
      }
      case 'device.provisioned': {
        // A site's phones come online together: the run's provisioned devices are read at once.
        const facts = await provisionedDeviceFacts(services, run, tenantId, event.deviceId);
        const deliveries = [...(await redrawHandoffs(tenantId, event.deviceId, run, facts)), ...(await redrawStatus(tenantId, event.deviceId, event.mac, run, facts))];
        const queued = facts ? facts.queueCard !== null : await queueCards.isQueued(tenantId, event.deviceId);
        const destination = queued ? null : await admins(tenantId, event.deviceId, run);
        if (destination) {
          deliveries.push({
            key: keyOf('awaiting-sign-in', destination),
            conversation: destination,
            message: { view: await currentSignInView(services, tenantId, event.mac, facts) },
            onPosted: remembering(tenantId, 'sign_in', event.deviceId, destination),
          });
        }
        return deliveries;
      }
      case 'sign_in.code_ready': {
        const redrawn = await redraw(tenantId, 'sign_in', event.deviceId, () => currentSignInView(services, tenantId, event.mac));
        const statuses = await redrawStatus(tenantId, event.deviceId, event.mac);
        const queued = await queueCards.forDevice(tenantId, event.deviceId, { post: true });
        if (queued.length > 0 || (await queueCards.isQueued(tenantId, event.deviceId))) return [...redrawn, ...statuses, ...queued];
        if (redrawn.length > 0) return [...redrawn, ...statuses];
        const destination = await admins(tenantId, event.deviceId);
        if (!destination) return statuses;
        return [
          ...statuses,
          {
            key: keyOf('sign-in-code', destination),
            conversation: destination,
            message: { view: await currentSignInView(services, tenantId, event.mac) },
            onPosted: remembering(tenantId, 'sign_in', event.deviceId, destination),
          },
        ];
      }
      case 'sign_in.requested':
      case 'sign_in.lapsed': {
        // A request the bot made itself (a device came online, a code renewed) shows on the queue
        // card with the code it brings (sign_in.code_ready) or the lapse before it: no redraw of its own.
        const queueRedraw = event.kind === 'sign_in.requested' && event.actor === 'system' ? [] : await queueCards.forDevice(tenantId, event.deviceId, { post: false });
        return [...(await redrawSignIn(tenantId, event.deviceId, event.mac)), ...queueRedraw];
      }
      case 'sign_in.marked_done':
        return queueCards.forDevice(tenantId, event.deviceId, { post: false });
      case 'device.signed_in':
      case 'device.reset':
      case 'code.expired':
        return [
          ...(await redrawHandoffs(tenantId, event.deviceId, run)),
          ...(await redrawSignIn(tenantId, event.deviceId, event.mac)),
          ...(await queueCards.forDevice(tenantId, event.deviceId, { post: false })),
        ];
      case 'device.locked_out': {
        // This tenant's own device, by id (the same MAC may be another tenant's device too).
        const device = event.deviceId
          ? await services.devices.queries.byId(tenantId, event.deviceId)
          : (await services.devices.queries.details(tenantId, event.mac)).device;
        if (!device) return [];
        const destination = await admins(tenantId, device.id);
        if (!destination) return [];
        const profile = await services.tenants.profile(tenantId);
        const message = { view: lockoutView(device.mac, device.location, new Date(event.until), profile.timeZone, event.source) };
        return [{ key: keyOf('lockout', destination), conversation: destination, message }];
      }
      case 'sign_in.account_mismatch': {
        const destination = await admins(tenantId, event.deviceId);
        if (!destination) return [];
        return [{ key: keyOf('account-mismatch', destination), conversation: destination, message: { view: view('blocks', accountMismatchView(event)) } }];
      }
      case 'source.blocked': {
        const destination = await conversations.findAudience(tenantId, 'admins');
        if (!destination) return [];
        const profile = await services.tenants.profile(tenantId);
        return [{ key: keyOf(`source-blocked:${event.source}:${event.until}`, destination), conversation: destination, message: { view: sourceBlockedView(event, profile.timeZone) } }];
      }
      case 'devices.registered':
        return [];
      case 'handoff.installed':
        return redrawHandoffs(tenantId, event.deviceId, run);
      case 'handoff.problem': {
        const deliveries = await redrawHandoffs(tenantId, event.deviceId, run);
        const destination = await adminsOfHandoff(tenantId, event.batchId);
        if (destination) deliveries.push({ key: keyOf(`problem:${event.deviceId}`, destination), conversation: destination, message: { view: view('blocks', problemReportedView(event)) } });
        return deliveries;
      }
      // Scheduled-job events: bot/notifications/plan-jobs.ts.
      case 'codes.expiring':
        return planCodesExpiring(services, event);
      case 'codes.expired':
        return planCodesExpired(services, event);
      case 'devices.stale':
        return planDevicesStale(services, event);
      case 'digest.due':
        return planDigestDue(services, event);
      // SIP Gateway bulk sign-in: bot/notifications/plan-sip.ts.
      case 'sip.batch_progress':
      case 'sip.batch_completed':
      case 'sip.batch_stuck':
      case 'sip.deadline':
        return planSip(services, event);
      // Firmware readiness and updates: bot/notifications/firmware-notifications.ts.
      case 'firmware.provision_refused':
      case 'firmware.batch_changed':
      case 'firmware.update_failed':
        return planFirmwareEvent(services, event);
    }
  };
}
