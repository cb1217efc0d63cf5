// The Teams app manifest, built from the configuration and the command registry so the
// commands Teams suggests are always the ones the bot has (never written twice).
import type { CommandSpec } from '../bot/commands/command-spec.ts';

export const manifestSchemaUrl = 'https://developer.microsoft.com/en-us/json-schemas/teams/v1.30/MicrosoftTeams.schema.json';

export interface ManifestInput {
  /** The bot's Microsoft App Id: Teams uses it as the app id and the bot id. */
  appId: string;
  /** Where the bot is reached, e.g. https://bot.contoso.com; its host becomes a valid domain. */
  publicBaseUrl: string;
  version: string;
  commands: readonly CommandSpec[];
  /**
   * The client id of the Entra app registration the fleet tab signs in with (TAB_SSO_CLIENT_ID,
   * default the app id). Given: the package gets the personal tab Fleet and webApplicationInfo.
   */
  tabClientId?: string | null;
}

/** The fleet tab (bot/tab/): after the chat with the bot, which Teams' reserved "conversations" entity keeps first. */
function fleetTab(input: ManifestInput, host: string, clientId: string): Record<string, unknown> {
  const tabUrl = `${input.publicBaseUrl}/tab/`;
  return {
    staticTabs: [
      { entityId: 'conversations', scopes: ['personal'] },
      { entityId: 'fleet', name: 'Fleet', contentUrl: tabUrl, websiteUrl: tabUrl, scopes: ['personal'] },
    ],
    // Single sign-on: Teams asks Entra for a token of this app for the tab (README, "Fleet tab").
    webApplicationInfo: { id: clientId, resource: `api://${host}/${clientId}` },
  };
}

// Teams limits: 10 commands per list, title up to 32 characters, description up to 128.
// The registry's order puts the everyday commands first; the rest are in "help".
const maxCommands = 10;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function buildManifest(input: ManifestInput): Record<string, unknown> {
  const host = new URL(input.publicBaseUrl).host;
  const commands = input.commands.slice(0, maxCommands).map((command) => ({
    title: clip(command.name, 32),
    description: clip(command.summary, 128),
  }));
  return {
    $schema: manifestSchemaUrl,
    manifestVersion: '1.30',
    version: input.version,
    id: input.appId,
    developer: {
      name: 'provisioning-bot',
      websiteUrl: input.publicBaseUrl,
      privacyUrl: `${input.publicBaseUrl}/privacy`,
      termsOfUseUrl: `${input.publicBaseUrl}/terms`,
    },
    name: { short: 'Provisioning', full: 'Provisioning bot for Teams devices' },
    description: {
      short: 'Provision Teams phones, panels and displays from chat.',
      full:
        'Register device MAC addresses, issue verification codes, hand them to technicians, follow devices as they come ' +
        'online and sign shared accounts in remotely, all from Microsoft Teams.',
    },
    icons: { color: 'color.png', outline: 'outline.png' },
    accentColor: '#5059C9',
    bots: [
      {
        botId: input.appId,
        scopes: ['personal', 'team', 'groupChat'],
        // CSV imports arrive as files in personal chat.
        supportsFiles: true,
        isNotificationOnly: false,
        commandLists: [{ scopes: ['personal', 'team', 'groupChat'], commands }],
      },
    ],
    ...(input.tabClientId ? fleetTab(input, host, input.tabClientId) : {}),
    permissions: ['identity', 'messageTeamMembers'],
    validDomains: [host],
  };
}
