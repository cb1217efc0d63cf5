import { z } from 'zod';
import { verbs } from './verbs.ts';
import { actorOf } from '../commands/actor.ts';
import { deviceStatusView } from '../views/device-views.ts';
import { signInProgressView } from '../views/sign-in-views.ts';
import { view } from '../views/reply.ts';
import { defineAction, type ActionContext } from './action-spec.ts';
import { cardMac } from './card-data.ts';

const signInData = z.object({ mac: cardMac, account: z.string({ error: 'the account must be text' }).max(254, 'the account is longer than 254 characters').optional() });

async function requestSignIn(context: ActionContext, mac: string, account: string | null) {
  const { services, tenantId } = context;
  const device = await services.devices.signIn.request(actorOf(context), tenantId, mac, account);
  const profile = await services.tenants.profile(tenantId);
  const session = await services.devices.signIn.pendingLoginCode(tenantId, device.mac);
  return {
    view: view('signInProgress', signInProgressView(device, 'requested', { account: account ?? session?.account ?? null }, profile.timeZone)),
    track: { kind: 'sign_in' as const, subject: device.id },
  };
}

export const signInAction = defineAction({
  verb: verbs.signIn,
  operation: 'signIn',
  data: signInData,
  run: (context, { mac, account }) => requestSignIn(context, mac, account?.trim() || null),
});

export const refreshSignInAction = defineAction({
  verb: verbs.refreshSignIn,
  operation: 'signIn',
  data: signInData,
  run: (context, { mac, account }) => requestSignIn(context, mac, account?.trim() || null),
});

export const showStatusAction = defineAction({
  verb: verbs.showStatus,
  operation: 'viewDevice',
  data: z.object({ mac: cardMac }),
  async run({ services, tenantId, roles }, { mac }) {
    const details = await services.devices.queries.details(tenantId, mac);
    const profile = await services.tenants.profile(tenantId);
    const shown = deviceStatusView(details, profile.timeZone, roles);
    // A card with a next step (Sign in…) is redrawn when the device moves on, so the step never stays offered after it passed.
    return { view: view('deviceStatus', shown), ...(shown.actions?.length ? { track: { kind: 'status' as const, subject: details.device.id } } : {}) };
  },
});
