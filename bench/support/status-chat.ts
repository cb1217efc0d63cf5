// The chat load: `status <MAC>` from technicians at once, each in their personal chat with the
// bot, and the check that each got that device's status card (or, from the echo bot, its echo); with the CPU time the server
// processes spent per message. Shared by the chat and scale-out benchmarks.
import { cardOf } from '../../test/helpers/card-text.ts';
import type { ReceivedActivity } from '../../test/helpers/fake-channel.ts';
import type { Services } from '../../services/index.ts';
import type { ChatBatch, ChatLine, ChatMessage, ReplyCheck } from './chat-load.ts';
import type { ChildServer } from './child-server.ts';
import { benchAdmin, benchMac } from './fleet-seed.ts';
import { serversCpuMs } from './provision-load.ts';

/** The technicians asking: one per concurrent request, each in their personal chat with the bot. */
export function benchTechnicians(count: number) {
  return Array.from({ length: count }, (_, index) => ({ id: `29:tech-${index}`, name: `Technician ${index}`, aadObjectId: `aad-tech-${index}` }));
}

/** Gives each of them the technician role, as an admin would. */
export async function grantTechnicians(services: Services, tenantId: string, technicians: readonly { aadObjectId: string; name: string }[]): Promise<void> {
  for (const technician of technicians) await services.roles.grant(benchAdmin, tenantId, { platform: 'teams', userId: technician.aadObjectId, name: technician.name }, 'technician');
}

/** `count` messages `status <MAC>` about MACs first … first+devices-1, the technicians taking turns. */
export function statusMessages(technicians: readonly ChatMessage['from'][], count: number, devices: number, first = 0): ChatMessage[] {
  return Array.from({ length: count }, (_, index) => {
    const from = technicians[index % technicians.length]!;
    return { text: `status ${benchMac(first + (index % devices))}`, from, conversationId: `a:personal-${from.aadObjectId}` };
  });
}

/** The bot must answer with that device's status card, not an error card. */
export function isStatusCard(reply: ReceivedActivity, message: ChatMessage): string | null {
  const mac = message.text.slice('status '.length);
  const fallback = (cardOf(reply) as { fallbackText?: string } | undefined)?.fallbackText ?? '';
  return fallback.startsWith(`Device ${mac} (`) ? null : `"${message.text}" was answered with: ${fallback || JSON.stringify(reply.body).slice(0, 200)}`;
}

/** The echo bot (the chat benchmarks' baseline, bench/support/echo-bot.ts) must answer with the text it was sent. */
export function isEcho(reply: ReceivedActivity, message: ChatMessage): string | null {
  return reply.body.text === message.text ? null : `echo of "${message.text}" was "${String(reply.body.text)}"`;
}

export interface MeasuredChatBatch extends ChatBatch {
  /** CPU time the server processes spent per message during the batch. */
  cpuMsPerMessage: number;
  /** CPU time this process (load client and fake channel) spent per message: it shares the machine's cores with the servers. */
  clientCpuMsPerMessage: number;
}

export async function measuredChatBatch(servers: readonly ChildServer[], line: ChatLine, messages: readonly ChatMessage[], check: ReplyCheck): Promise<MeasuredChatBatch> {
  const cpuBefore = serversCpuMs(servers);
  const clientBefore = process.cpuUsage();
  const batch = await line.batch(messages, check);
  const client = process.cpuUsage(clientBefore);
  return {
    ...batch,
    cpuMsPerMessage: (serversCpuMs(servers) - cpuBefore) / messages.length,
    clientCpuMsPerMessage: (client.user + client.system) / 1000 / messages.length,
  };
}
