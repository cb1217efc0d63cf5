import { z } from 'zod';
import { renderCard } from '../../cards/render.ts';
import { verbs } from '../../cards/verbs.ts';
import { actorOf } from '../commands/actor.ts';
import { deviceStatusView } from '../views/device-views.ts';
import { signInProgressView } from '../views/sign-in-views.ts';
import { defineAction, type ActionContext } from './action-spec.ts';
import { cardMac } from './card-data.ts';

const signInData = z.object({ mac: cardMac, account: z.string({ error: 'the account must be text' }).max(254, 'the account is longer than 254 characters').optional() });

async function requestSignIn(context: ActionContext, mac: string, account: string | null) {
  const { services, tenantId } = context;
  const device = await services.devices.signIn.request(actorOf(context), tenantId, mac, account);
  const profile = await services.tenants.profile(tenantId);
  const session = await services.devices.signIn.pendingLoginCode(tenantId, device.mac);
  return {
    card: renderCard('signInProgress', signInProgressView(device, 'requested', { account: account ?? session?.account ?? null }, profile.timeZone)),
    track: { kind: 'sign_in' as const, subject: device.id },
  };
}

export const signInAction = defineAction({
  verb: verbs.signIn,
  permission: ['admin'],
  data: signInData,
  run: (context, { mac, account }) => requestSignIn(context, mac, account?.trim() || null),
});

export const refreshSignInAction = defineAction({
  verb: verbs.refreshSignIn,
  permission: ['admin'],
  data: signInData,
  run: (context, { mac, account }) => requestSignIn(context, mac, account?.trim() || null),
});

export const showStatusAction = defineAction({
  verb: verbs.showStatus,
  permission: ['technician', 'manager'],
  data: z.object({ mac: cardMac }),
  async run({ services, tenantId }, { mac }) {
    const details = await services.devices.queries.details(tenantId, mac);
    const profile = await services.tenants.profile(tenantId);
    return { card: renderCard('deviceStatus', deviceStatusView(details, profile.timeZone)) };
  },
});
