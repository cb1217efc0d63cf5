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
    permissions: ['identity', 'messageTeamMembers'],
    validDomains: [host],
  };
}
