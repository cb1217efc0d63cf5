// The one door between HTTP and Bot Framework: authenticates the channel (or, with no
// MicrosoftAppId, accepts the Emulator's unauthenticated requests; see channel-auth.ts),
// runs the bot on a CloudAdapter, and turns a failed turn into a short apology with an
// error reference.
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from './botbuilder.ts';
import type { Activity, InvokeResponse, Request as BotRequest, Response as BotResponse, TurnContext } from 'botbuilder';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Services } from '../../services/index.ts';
import { newErrorReference } from '../../services/shared/random.ts';
import type { CommandSpec } from '../commands/command-spec.ts';
import type { ActionSpec } from '../actions/action-spec.ts';
import { ProvisioningBot } from './provisioning-bot.ts';
import { setTurnLogger, turnLogger } from './turn-logger.ts';
import { hostOf, urlHostAllowed } from '../host-allowlist.ts';
import type { ExportLinks } from '../exports/export-links.ts';
import { authenticateChannelRequest, channelEndpoints, type AuthenticateRequestResult } from './channel-auth.ts';
import { createReusedConnectorClients, reusingUserTokenClients } from './reused-connector-clients.ts';

export interface TeamsChat {
  /** Handles one POST /api/messages; resolves when the turn is over and the response sent. */
  handle(req: BotRequest, res: BotResponse, log: Logger): Promise<void>;
  /** The adapter, for proactive sends (teams-messenger.ts). */
  adapter: CloudAdapter;
}

export function apologyFor(reference: string): string {
  return `Sorry, something went wrong on my side and I couldn't finish that. Please try again; if it keeps happening, give your admin this reference: ${reference}.`;
}

async function onTurnError(context: TurnContext, error: Error): Promise<void> {
  const reference = newErrorReference();
  const log = turnLogger(context);
  log.error({ err: error, errorReference: reference, activityType: context.activity.type }, 'turn failed');
  try {
    await context.sendActivity(apologyFor(reference));
  } catch (sendError) {
    log.error({ err: sendError, errorReference: reference }, 'could not send the apology either');
  }
}

/** A CloudAdapter that runs a turn for a request this module authenticated itself. */
class ChannelAdapter extends CloudAdapter {
  /** Incoming turns answer through kept connector clients (reused-connector-clients.ts). */
  private readonly connectorClients = createReusedConnectorClients();

  runAuthenticated(authenticated: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    const connectorFactory = authenticated.connectorFactory && this.connectorClients.factoryFor(authenticated.connectorFactory);
    return this.processActivity({ ...authenticated, connectorFactory }, activity, logic);
  }
}

function send(res: BotResponse, status: number, body?: unknown): void {
  res.status(status);
  if (body !== undefined && body !== null) res.send(body);
  res.end();
}

/** The body as an activity, with its timestamps as Dates, as botbuilder's own request handling does. */
function activityOf(body: unknown): Activity | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const activity = body as Activity & Record<string, unknown>;
  if (typeof activity.type !== 'string' || activity.type === '') return null;
  for (const field of ['timestamp', 'localTimestamp', 'expiration'] as const) {
    const value: unknown = activity[field];
    if (typeof value === 'string') {
      activity[`raw${field[0]?.toUpperCase()}${field.slice(1)}`] = value;
      (activity as Record<string, unknown>)[field] = new Date(value);
    }
  }
  return activity;
}

export function createTeamsChat(options: {
  botAuth: Config['botAuth'];
  services: Services;
  commands: readonly CommandSpec[];
  actions: readonly ActionSpec[];
  /** Allowed hosts: serviceUrl (checked with an app id) and attached files' downloads. */
  hosts: { serviceUrl: readonly string[]; fileDownload: readonly string[] };
  /** Where `export` puts its files (GET /exports/<token>); without it, exports come as text. */
  exportLinks?: ExportLinks;
}): TeamsChat {
  const { botAuth, hosts } = options;
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: botAuth.appId,
    MicrosoftAppPassword: botAuth.appPassword,
    MicrosoftAppType: botAuth.appType,
    MicrosoftAppTenantId: botAuth.appTenantId,
    ...channelEndpoints(botAuth.openIdMetadataUrl),
  });
  const adapter = new ChannelAdapter(reusingUserTokenClients(auth));
  adapter.onTurnError = onTurnError;
  const bot = new ProvisioningBot(options.services, options.commands, options.actions, { fileDownloadHosts: hosts.fileDownload, exportLinks: options.exportLinks });

  return {
    adapter,
    async handle(req, res, log) {
      const activity = activityOf(req.body);
      if (!activity) {
        return send(res, 400, { code: 'invalid_activity', message: 'Send a Bot Framework activity: a JSON object with a "type".' });
      }
      const header = req.headers.authorization ?? req.headers.Authorization;
      const authenticated = await authenticateChannelRequest(auth, activity, typeof header === 'string' ? header : '', log);
      if (!authenticated.ok) {
        if (authenticated.status === 503) res.header('Retry-After', '30');
        return send(res, authenticated.status, authenticated.body);
      }
      // The token's serviceurl claim matches the activity's, but a channel of another cloud (or a
      // leaked token) must not make the bot post codes elsewhere: only Microsoft's channel hosts.
      if (botAuth.appId !== '' && !urlHostAllowed(activity.serviceUrl ?? '', hosts.serviceUrl)) {
        log.warn({ serviceUrlHost: hostOf(activity.serviceUrl ?? '') }, 'activity refused: serviceUrl is not a channel host (SERVICE_URL_HOSTS)');
        return send(res, 403, { code: 'forbidden', message: 'This serviceUrl is not one of the channel hosts the bot answers (SERVICE_URL_HOSTS).' });
      }
      // Errors past this point are bugs: they go to the server's one error handler (500 with a reference).
      const invokeResponse = await adapter.runAuthenticated(authenticated.result, activity, async (context) => {
        setTurnLogger(context, log);
        await bot.run(context);
      });
      send(res, invokeResponse?.status ?? 200, invokeResponse?.body);
    },
  };
}
