import { z } from 'zod';
import { renderCard } from '../../cards/render.ts';
import { deviceStatusView } from '../views/device-views.ts';
import { defineCommand } from './command-spec.ts';

export const statusCommand = defineCommand({
  name: 'status',
  aliases: ['show', 'device'],
  summary: 'Show one device: its state, details and what happened to it.',
  usage: 'status <MAC>',
  permission: ['technician', 'manager'],
  args: z.string().min(1, 'give the MAC address, e.g. "status 00-04-F2-81-24-B3"'),
  async run({ services, tenantId }, mac) {
    const details = await services.devices.queries.details(tenantId, mac);
    const profile = await services.tenants.profile(tenantId);
    return { card: renderCard('deviceStatus', deviceStatusView(details, profile.timeZone)) };
  },
});
