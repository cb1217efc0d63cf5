import { z } from 'zod';
import { digestView } from '../views/digest-view.ts';
import { view } from '../views/reply.ts';
import { defineCommand } from './command-spec.ts';

export const digestCommand = defineCommand({
  name: 'digest',
  aliases: ['report'],
  summary: 'Show the daily digest now: devices per state and location, sign-ins, expiring codes, stuck devices, lockouts.',
  usage: 'digest',
  operation: 'digest',
  args: z.literal('', { error: 'digest takes nothing after it' }),
  async run({ services, tenantId }) {
    const profile = await services.tenants.profile(tenantId);
    const digest = await services.reporting.buildDigest(tenantId, services.clock.now(), { timeZone: profile.timeZone });
    return { view: view('digest', digestView(digest, profile.timeZone)) };
  },
});
