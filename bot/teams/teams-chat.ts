// The one door between HTTP and Bot Framework: a CloudAdapter that authenticates the
// channel (or, with no MicrosoftAppId, accepts the Emulator's unauthenticated requests),
// runs the bot, and turns a failed turn into a short apology with an error reference.
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Request as BotRequest,
  type Response as BotResponse,
  type TurnContext,
} from 'botbuilder';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Services } from '../../services/index.ts';
import { newErrorReference } from '../../services/shared/random.ts';
import type { CommandSpec } from '../commands/command-spec.ts';
import type { ActionSpec } from '../actions/action-spec.ts';
import { ProvisioningBot } from './provisioning-bot.ts';
import { setTurnLogger, turnLogger } from './turn-logger.ts';

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

export function createTeamsChat(options: {
  botAuth: Config['botAuth'];
  services: Services;
  commands: readonly CommandSpec[];
  actions: readonly ActionSpec[];
}): TeamsChat {
  const { botAuth } = options;
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: botAuth.appId,
    MicrosoftAppPassword: botAuth.appPassword,
    MicrosoftAppType: botAuth.appType,
    MicrosoftAppTenantId: botAuth.appTenantId,
  });
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = onTurnError;
  const bot = new ProvisioningBot(options.services, options.commands, options.actions);

  return {
    adapter,
    handle: (req, res, log) =>
      adapter.process(req, res, async (context) => {
        setTurnLogger(context, log);
        await bot.run(context);
      }),
  };
}
