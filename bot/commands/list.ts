import { z } from 'zod';
import type { DeviceState } from '../../services/devices/device-state.ts';
import { deviceListView } from '../views/device-views.ts';
import { view } from '../views/reply.ts';
import { defineCommand } from './command-spec.ts';

const filters: Record<string, { states?: DeviceState[]; title: string }> = {
  all: { title: 'All devices' },
  waiting: { states: ['registered', 'code_issued'], title: 'Waiting on activation' },
  awaiting: { states: ['awaiting_sign_in', 'signing_in'], title: 'Waiting for sign-in' },
  signedin: { states: ['signed_in'], title: 'Signed in' },
};

const listArgs = z
  .string()
  .regex(/^((all|waiting|awaiting|signedin)\b)?\s*(location\s+.+)?$/i, 'expected [waiting|awaiting|signedin|all] [location NAME]')
  .transform((text) => {
    const match = /^(all|waiting|awaiting|signedin)?\s*(?:location\s+(.+))?$/i.exec(text.trim());
    return { filter: (match?.[1] ?? 'all').toLowerCase(), location: match?.[2]?.trim() };
  });

export const listCommand = defineCommand({
  name: 'list',
  aliases: ['ls', 'devices'],
  summary: 'List devices by state and location: waiting (on activation), awaiting (sign-in), signedin or all.',
  usage: 'list [waiting|awaiting|signedin|all] [location NAME]',
  operation: 'listDevices',
  args: listArgs,
  async run({ services, tenantId }, { filter, location }) {
    const chosen = filters[filter] ?? { title: 'All devices' };
    const devices = await services.devices.queries.list(tenantId, { ...(chosen.states ? { states: chosen.states } : {}), ...(location ? { location } : {}) });
    if (devices.length === 0) {
      return { text: `No device ${location ? `at "${location}" ` : ''}is ${chosen.title.toLowerCase()}. Admins register devices with "register MAC [location]" or "import".` };
    }
    return { view: view('deviceList', deviceListView(devices, `${chosen.title}${location ? ` at ${location}` : ''}: ${devices.length}`)) };
  },
});
