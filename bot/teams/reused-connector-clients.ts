// The connector client a turn answers through, kept for the next turns to the same place (and
// its user-token client, likewise).
//
// botbuilder builds a ConnectorClient for every incoming turn (credentials, then an Azure
// request pipeline of a dozen policies): about a tenth of the CPU of a `status` turn besides
// the card and the store, in the chat benchmark's profile. A client holds no state of a turn
// (its credentials cache their token, its pipeline is the same for every request), so turns
// from the same bot identity to the same channel endpoint share one.
//
// Only incoming turns: proactive sends (teams-messenger.ts) get their clients from the
// adapter's own factory, made per send, because they change their client's pipeline (no
// built-in retries, a request timeout) and must not hand that to a turn.
import type { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { AuthenticateRequestResult } from './channel-auth.ts';

type ConnectorFactory = NonNullable<AuthenticateRequestResult['connectorFactory']>;
type ConnectorClient = Awaited<ReturnType<ConnectorFactory['create']>>;

/** Endpoints (bot identity × service URL × audience) kept at most; a bot talks to a handful. */
const maxKeptClients = 64;

export function createReusedConnectorClients() {
  const clients = new Map<string, Promise<ConnectorClient>>();

  return {
    /** `factory` (an authenticated request's), answering from the kept clients. */
    factoryFor(factory: ConnectorFactory): ConnectorFactory {
      // botbuilder's factory names the bot identity its credentials are for (the token's audience).
      const appId = (factory as { appId?: unknown }).appId;
      if (appId !== undefined && typeof appId !== 'string') return factory;
      return {
        create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
          const key = `${appId ?? ''}\n${serviceUrl}\n${audience ?? ''}`;
          let client = clients.get(key);
          if (!client) {
            if (clients.size >= maxKeptClients) clients.clear();
            client = factory.create(serviceUrl, audience);
            clients.set(key, client);
            // A failed creation is not kept: the next turn tries again.
            client.catch(() => {
              if (clients.get(key) === client) clients.delete(key);
            });
          }
          return client;
        },
      };
    },
  };
}

type UserTokenClientFactory = Pick<ConfigurationBotFrameworkAuthentication, 'createUserTokenClient'>;
type UserTokenClient = Awaited<ReturnType<UserTokenClientFactory['createUserTokenClient']>>;

/**
 * `auth`, answering createUserTokenClient from kept clients: botbuilder makes one for every
 * turn (another Azure request pipeline), whether or not the bot ever asks for a user token.
 * A user-token client holds no state of a turn either. Keyed by both claims botbuilder picks
 * the bot identity from (audience, else app id).
 */
export function reusingUserTokenClients<T extends UserTokenClientFactory>(auth: T): T {
  const clients = new Map<string, Promise<UserTokenClient>>();
  const createUserTokenClient: UserTokenClientFactory['createUserTokenClient'] = (claimsIdentity) => {
    const key = `${claimsIdentity.getClaimValue('aud') ?? ''}\n${claimsIdentity.getClaimValue('appid') ?? ''}`;
    let client = clients.get(key);
    if (!client) {
      if (clients.size >= maxKeptClients) clients.clear();
      client = auth.createUserTokenClient(claimsIdentity);
      clients.set(key, client);
      client.catch(() => {
        if (clients.get(key) === client) clients.delete(key);
      });
    }
    return client;
  };
  return new Proxy(auth, {
    get: (target, key, receiver) => (key === 'createUserTokenClient' ? createUserTokenClient : Reflect.get(target, key, receiver)),
  });
}
