import { z } from 'zod';
import { deviceStatusView } from '../views/device-views.ts';
import { view } from '../views/reply.ts';
import { defineCommand } from './command-spec.ts';

export const statusCommand = defineCommand({
  name: 'status',
  aliases: ['show', 'device'],
  summary: 'Show one device: its state, details and what happened to it.',
  usage: 'status MAC',
  operation: 'viewDevice',
  args: z.string().min(1, 'give the MAC address, e.g. "status 00-04-F2-81-24-B3"'),
  async run({ services, tenantId, roles }, mac) {
    const details = await services.devices.queries.details(tenantId, mac);
    const profile = await services.tenants.profile(tenantId);
    const shown = deviceStatusView(details, profile.timeZone, roles);
    // A card with a next step (Sign in…) is redrawn when the device moves on, so the step never stays offered after it passed.
    return { view: view('deviceStatus', shown), ...(shown.actions?.length ? { track: { kind: 'status' as const, subject: details.device.id } } : {}) };
  },
});
