import { z } from 'zod';
import { renderCard } from '../../cards/render.ts';
import { signInProgressView } from '../views/sign-in-views.ts';
import { actorOf } from './actor.ts';
import { defineCommand } from './command-spec.ts';

const signInArgs = z
  .string()
  .regex(/^\S+(\s+\S+)?$/, 'give the MAC address and, optionally, the shared account')
  .transform((text) => {
    const [mac = '', account] = text.split(/\s+/);
    return { mac, account: account ?? null };
  });

export const signInCommand = defineCommand({
  name: 'signin',
  aliases: ['sign-in', 'login'],
  summary: 'Sign a shared account into a provisioned device remotely (the device shows a login code for the portal).',
  usage: 'signin <MAC> [account]',
  permission: ['admin'],
  args: signInArgs,
  async run(context, { mac, account }) {
    const { services, tenantId } = context;
    const device = await services.devices.signIn.request(actorOf(context), tenantId, mac, account);
    const profile = await services.tenants.profile(tenantId);
    return {
      card: renderCard('signInProgress', signInProgressView(device, 'requested', { account }, profile.timeZone)),
      track: { kind: 'sign_in', subject: device.id },
    };
  },
});
