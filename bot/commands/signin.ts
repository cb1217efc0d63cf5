import { z } from 'zod';
import { signInProgressView } from '../views/sign-in-views.ts';
import { view } from '../views/reply.ts';
import { actorOf } from './actor.ts';
import { defineCommand } from './command-spec.ts';
import { signInWaiting } from './signin-waiting.ts';

const oneDevice = z
  .string()
  .regex(/^\S+(\s+\S+)?$/, 'give the MAC address and, optionally, the shared account (or "location NAME", or "all")')
  .transform((text) => {
    const [mac = '', account] = text.split(/\s+/);
    return { kind: 'device' as const, mac, account: account ?? null };
  });

/** "signin MAC [account]", "signin location NAME" or "signin all" (every device waiting, each with its planned account). */
const signInArgs = z.string().pipe(
  z.union([
    z.string().regex(/^all$/i).transform(() => ({ kind: 'waiting' as const, location: null })),
    z
      .string()
      .regex(/^location\s+\S/is)
      .transform((text) => ({ kind: 'waiting' as const, location: text.replace(/^location\s+/i, '').trim().replace(/^["“”']|["“”']$/g, '') })),
    oneDevice,
  ]),
);

/** A UPN as people type it: name@domain, no spaces. */
const upnPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const signInCommand = defineCommand({
  name: 'signin',
  aliases: ['sign-in', 'login'],
  summary: 'Sign a shared account into a provisioned device remotely (the device shows a login code for the portal).',
  usage: 'signin MAC [account] | signin location NAME | signin all',
  operation: 'signIn',
  args: signInArgs,
  form: {
    title: 'Sign in a device',
    intro: 'The device shows a login code; whoever signs in the shared account enters it at the device-login portal.',
    submitLabel: 'Sign in',
    fields: [
      { id: 'mac', label: 'MAC address', kind: 'text', required: true, placeholder: '00-04-F2-81-24-B3' },
      { id: 'account', label: 'Shared account (optional)', kind: 'text', required: false, placeholder: 'lobby-phone@contoso.com', hint: 'The UPN of the account the device signs in with.' },
    ],
    check(values) {
      const errors: Record<string, string> = {};
      if (/\s/.test((values.mac ?? '').trim())) errors.mac = 'One MAC address.';
      const account = (values.account ?? '').trim();
      if (account !== '' && !upnPattern.test(account)) errors.account = 'Write the account as its UPN, e.g. lobby-phone@contoso.com.';
      return errors;
    },
    toArgs: (values) => `${(values.mac ?? '').trim()} ${(values.account ?? '').trim()}`,
  },
  async run(context, args) {
    if (args.kind === 'waiting') return signInWaiting(context, args.location);
    const { mac, account } = args;
    const { services, tenantId } = context;
    const device = await services.devices.signIn.request(actorOf(context), tenantId, mac, account);
    const profile = await services.tenants.profile(tenantId);
    return {
      view: view('signInProgress', signInProgressView(device, 'requested', { account }, profile.timeZone)),
      track: { kind: 'sign_in', subject: device.id },
    };
  },
});
