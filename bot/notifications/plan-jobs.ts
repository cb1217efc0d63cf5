// Who hears about the scheduled jobs' events, and what they see:
//   codes.expiring → the technicians channel, and the issuing admin's personal chat (with the
//                    Regenerate codes button): one warning card each, in the site's local time
//   codes.expired  → one summary to the admins channel, or else to the personal chats of the
//                    admins who issued those codes
//   devices.stale  → the admins channel: the devices still waiting for sign-in, with Sign in buttons
//   digest.due     → the managers channel: the digest, built when it is delivered
// Cards are drawn from the current state where it can have moved on since the event (a stale
// device signed in meanwhile is left out), and from the event where it is the fact itself.
import { principalOfActorLabel } from '../../services/auth/principal.ts';
import type { StoredConversation } from '../../services/conversations/conversation-repository.ts';
import type { DomainEvent } from '../../services/notifications/domain-events.ts';
import type { Services } from '../../services/index.ts';
import { view } from '../views/reply.ts';
import type { PlannedDelivery } from './outgoing-message.ts';
import { digestView } from '../views/digest-view.ts';
import { expirySummaryView, expiryWarningView, staleDevicesView } from '../views/job-views.ts';

type EventOf<K extends DomainEvent['kind']> = Extract<DomainEvent, { kind: K }>;

const keyOf = (purpose: string, conversation: StoredConversation) => `${purpose}:${conversation.channelId}:${conversation.conversationId}`;

/** The personal chat of the user an actor label names ("user:<id>", "user:<platform>:<id>"), if they ever talked to the bot there. */
async function personalChatOf(services: Services, tenantId: string, actor: string): Promise<StoredConversation | null> {
  const person = principalOfActorLabel(actor);
  return person ? services.conversations.findPersonalChat(tenantId, person) : null;
}

export async function planCodesExpiring(services: Services, event: EventOf<'codes.expiring'>): Promise<PlannedDelivery[]> {
  const { tenantId } = event;
  if (event.macs.length === 0) return [];
  // The site's local time (its own zone when an admin set one, else the tenant's): technicians
  // plan their walk by the clock on the site's wall, wherever the card is read.
  const [technicians, issuer, siteZone] = await Promise.all([
    services.conversations.findAudience(tenantId, 'technicians'),
    personalChatOf(services, tenantId, event.issuedBy),
    services.timeZones.zoneOf(tenantId, event.location),
  ]);
  const now = services.clock.now();
  const codes = { batchId: event.batchId, location: event.location, expiresAt: new Date(event.expiresAt), macs: event.macs };
  // One warning per batch, location and lead time: the key says which, so two leads (say 4 h
  // and 1 h) are two messages, and a retry of one is not.
  const purpose = `expiry-warning:${event.batchId}:${event.location ?? ''}:${event.leadMinutes}`;
  const deliveries: PlannedDelivery[] = [];
  if (technicians) {
    deliveries.push({ key: keyOf(`${purpose}:technicians`, technicians), conversation: technicians, message: { view: view('expiryWarning', expiryWarningView(codes, now, siteZone, false, services.settings.codeTtlMs)) } });
  }
  if (issuer && issuer.conversationId !== technicians?.conversationId) {
    deliveries.push({ key: keyOf(`${purpose}:issuer`, issuer), conversation: issuer, message: { view: view('expiryWarning', expiryWarningView(codes, now, siteZone, true, services.settings.codeTtlMs)) } });
  }
  return deliveries;
}

export async function planCodesExpired(services: Services, event: EventOf<'codes.expired'>): Promise<PlannedDelivery[]> {
  const { tenantId } = event;
  if (event.macs.length === 0) return [];
  const admins = await services.conversations.findAudience(tenantId, 'admins');
  let destinations: StoredConversation[];
  if (admins) {
    destinations = [admins];
  } else {
    const issuers = await services.reporting.expiredCodeIssuers(tenantId, event.macs);
    const chats = await Promise.all(issuers.map((issuer) => personalChatOf(services, tenantId, issuer)));
    destinations = chats.filter((chat): chat is StoredConversation => chat !== null);
  }
  if (destinations.length === 0) return [];
  const message = { view: view('expirySummary', expirySummaryView(event.macs)) };
  return destinations.map((conversation) => ({ key: keyOf('codes-expired', conversation), conversation, message }));
}

export async function planDevicesStale(services: Services, event: EventOf<'devices.stale'>): Promise<PlannedDelivery[]> {
  const { tenantId } = event;
  const admins = await services.conversations.findAudience(tenantId, 'admins');
  if (!admins) return [];
  // Only the devices still waiting: one signed in since the job ran needs no reminder.
  const waiting = await services.devices.queries.list(tenantId, { states: ['awaiting_sign_in', 'signing_in'] });
  const stillWaiting = new Set(waiting.map((device) => device.mac));
  const devices = event.devices.filter((device) => stillWaiting.has(device.mac)).map((device) => ({ mac: device.mac, location: device.location, since: new Date(device.since) }));
  if (devices.length === 0) return [];
  const profile = await services.tenants.profile(tenantId);
  const message = { view: view('staleDevices', staleDevicesView(devices, services.clock.now(), profile.timeZone)) };
  return [{ key: keyOf(`stale-devices:${event.day}`, admins), conversation: admins, message }];
}

export async function planDigestDue(services: Services, event: EventOf<'digest.due'>): Promise<PlannedDelivery[]> {
  const { tenantId } = event;
  const managers = await services.conversations.findAudience(tenantId, 'managers');
  if (!managers) return [];
  const profile = await services.tenants.profile(tenantId);
  const digest = await services.reporting.buildDigest(tenantId, services.clock.now(), { timeZone: profile.timeZone, day: event.day });
  return [{ key: keyOf(`digest:${event.day}`, managers), conversation: managers, message: { view: view('digest', digestView(digest, profile.timeZone)) } }];
}
