import { z } from 'zod';
import { defineCommand } from './command-spec.ts';

export const unlockCommand = defineCommand({
  name: 'unlock',
  aliases: [],
  summary: 'Clear a device\'s lockout after wrong verification codes, so its code can be entered again now.',
  usage: 'unlock MAC',
  operation: 'unlock',
  args: z.string().min(1, 'give the MAC address, e.g. "unlock 00-04-F2-81-24-B3"'),
  async run({ services, tenantId }, mac) {
    const cleared = await services.devices.provisioning.unlock(tenantId, mac);
    const what = cleared === 0 ? 'It had no wrong codes counting against it.' : `${cleared} wrong ${cleared === 1 ? 'code no longer counts' : 'codes no longer count'} against it.`;
    return { text: `Unlocked ${mac.trim().toUpperCase()}: its verification code can be entered again now. ${what}` };
  },
});
