// Incoming turns share a connector client per bot identity, service URL and audience; a failed
// creation is tried again by the next turn.
import { describe, expect, it } from 'vitest';
import { ClaimsIdentity } from 'botframework-connector';
import { createReusedConnectorClients, reusingUserTokenClients } from '../../../../bot/teams/reused-connector-clients.ts';

type Factory = Parameters<ReturnType<typeof createReusedConnectorClients>['factoryFor']>[0];

/** A factory like botbuilder's (it names its app id), counting what it built. */
function countingFactory(appId: string | undefined, fail = false) {
  const built: string[] = [];
  const factory = {
    appId,
    create: async (serviceUrl: string, audience?: string) => {
      built.push(`${serviceUrl} ${audience ?? ''}`);
      if (fail) throw new Error('no credentials');
      return { serviceUrl, audience, appId } as unknown;
    },
  } as unknown as Factory;
  return { factory, built };
}

describe('reused connector clients', () => {
  it('builds one client per bot identity, service URL and audience, across the factories of many requests', async () => {
    const reused = createReusedConnectorClients();
    const first = countingFactory('bot-a');
    const second = countingFactory('bot-a');
    const a1 = await reused.factoryFor(first.factory).create('https://smba.example/emea/', 'aud');
    const a2 = await reused.factoryFor(second.factory).create('https://smba.example/emea/', 'aud');
    expect(a2).toBe(a1);
    expect(first.built).toHaveLength(1);
    expect(second.built).toHaveLength(0);
    const otherUrl = await reused.factoryFor(second.factory).create('https://smba.example/amer/', 'aud');
    const otherAudience = await reused.factoryFor(second.factory).create('https://smba.example/emea/', 'other');
    const otherBot = countingFactory('bot-b');
    const otherIdentity = await reused.factoryFor(otherBot.factory).create('https://smba.example/emea/', 'aud');
    expect(new Set([a1, otherUrl, otherAudience, otherIdentity]).size).toBe(4);
  });

  it('does not keep a failed creation', async () => {
    const reused = createReusedConnectorClients();
    const failing = countingFactory('bot-a', true);
    await expect(reused.factoryFor(failing.factory).create('https://smba.example/', 'aud')).rejects.toThrow('no credentials');
    const working = countingFactory('bot-a');
    await expect(reused.factoryFor(working.factory).create('https://smba.example/', 'aud')).resolves.toMatchObject({ appId: 'bot-a' });
    expect(working.built).toHaveLength(1);
  });

  it('leaves a factory that does not name its identity as it is', () => {
    const reused = createReusedConnectorClients();
    const odd = { appId: 42, create: async () => ({}) } as unknown as Factory;
    expect(reused.factoryFor(odd)).toBe(odd);
  });
});

describe('reused user-token clients', () => {
  const identity = (claims: Record<string, string>) => new ClaimsIdentity(Object.entries(claims).map(([type, value]) => ({ type, value })), true);

  it('makes one per bot identity (audience and app id claims) and passes everything else through', async () => {
    const made: string[] = [];
    const auth = {
      createUserTokenClient: async (claims: ClaimsIdentity) => {
        made.push(claims.getClaimValue('aud') ?? claims.getClaimValue('appid') ?? '');
        if (claims.getClaimValue('aud') === 'broken') throw new Error('no credentials');
        return { for: made.at(-1) } as never;
      },
      createConnectorFactory: () => 'the adapter\'s own',
    };
    const reused = reusingUserTokenClients(auth);
    const a1 = await reused.createUserTokenClient(identity({ aud: 'bot-a' }));
    const a2 = await reused.createUserTokenClient(identity({ aud: 'bot-a' }));
    const b = await reused.createUserTokenClient(identity({ aud: 'bot-b' }));
    const emulator = await reused.createUserTokenClient(identity({ appid: 'bot-a' }));
    expect(a2).toBe(a1);
    expect(new Set([a1, b, emulator]).size).toBe(3);
    expect(made).toEqual(['bot-a', 'bot-b', 'bot-a']);
    await expect(reused.createUserTokenClient(identity({ aud: 'broken' }))).rejects.toThrow('no credentials');
    await expect(reused.createUserTokenClient(identity({ aud: 'broken' }))).rejects.toThrow('no credentials');
    expect(made.filter((each) => each === 'broken')).toHaveLength(2);
    expect(reused.createConnectorFactory()).toBe("the adapter's own");
  });
});
