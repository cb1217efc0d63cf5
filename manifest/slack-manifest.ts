// The Slack app manifest (build/slack-manifest.yaml): paste it at api.slack.com/apps → Create
// New App → From a manifest. Generated from the command registry and the configuration: one
// slash command, /provision, whose usage hint lists the registry's commands; the events, the
// interactivity and the command all point at PUBLIC_BASE_URL/api/slack/events (the one route
// of bot/slack/slack-door.ts); the bot scopes are exactly what the door uses.
import type { CommandSpec } from '../bot/commands/command-spec.ts';

export const slackEventsRoute = '/api/slack/events';

/** What the bot calls or receives, and the scope each needs. */
export const slackBotScopes = [
  'commands', // the /provision slash command
  'chat:write', // chat.postMessage, chat.update, chat.postEphemeral
  'app_mentions:read', // app_mention events: "@Provisioning codes all" in a channel
  'im:history', // message.im events: commands typed in the bot's direct messages
  'im:read',
  'im:write',
  'files:read', // files.info and downloading a CSV uploaded to the bot (without it Slack answers its sign-in page)
] as const;

export const slackBotEvents = ['app_mention', 'message.im', 'file_shared'] as const;

export interface SlackManifestInput {
  publicBaseUrl: string;
  commands: readonly CommandSpec[];
  /** Shown in Slack as the app's and the bot's name. */
  name?: string;
  /** SLACK_APP_TOKEN is set: Slack sends everything over Socket Mode instead of to the URL. */
  socketMode?: boolean;
}

const clip = (text: string, max: number) => ([...text].length <= max ? text : `${[...text].slice(0, max - 1).join('')}…`);

export function buildSlackManifest(input: SlackManifestInput): Record<string, unknown> {
  const url = `${input.publicBaseUrl.replace(/\/+$/, '')}${slackEventsRoute}`;
  const name = input.name ?? 'Provisioning';
  return {
    _metadata: { major_version: 1, minor_version: 1 },
    display_information: {
      name,
      description: clip('Provision Microsoft Teams phones, panels and displays from Slack.', 140),
      long_description: clip(
        `Register devices, hand verification codes to the technicians, and sign devices in, from Slack. Commands: ${input.commands.map((command) => `/provision ${command.usage}: ${command.summary}`).join(' ')}`,
        4000,
      ),
      background_color: '#464eb8',
    },
    features: {
      app_home: { home_tab_enabled: false, messages_tab_enabled: true, messages_tab_read_only_enabled: false },
      bot_user: { display_name: clip(name, 80), always_online: true },
      slash_commands: [
        {
          command: '/provision',
          url,
          description: 'Provision Teams devices: /provision help lists the commands',
          usage_hint: clip(input.commands.map((command) => command.name).join(' | '), 1000),
          // Mentions arrive as <@U…|name>: grant and assign need the person's user id.
          should_escape: true,
        },
      ],
    },
    oauth_config: { scopes: { bot: [...slackBotScopes] } },
    settings: {
      event_subscriptions: { request_url: url, bot_events: [...slackBotEvents] },
      interactivity: { is_enabled: true, request_url: url },
      org_deploy_enabled: false,
      socket_mode_enabled: input.socketMode === true,
      token_rotation_enabled: false,
    },
  };
}

/** YAML of plain data: maps, lists, strings (always double-quoted, as JSON writes them: valid YAML), numbers, booleans. */
export function toYaml(value: unknown, indent = 0): string {
  const pad = ' '.repeat(indent);
  const scalar = (item: unknown) => (typeof item === 'string' ? JSON.stringify(item) : String(item));
  const isBlock = (item: unknown) => item !== null && typeof item === 'object' && (Array.isArray(item) ? item.length > 0 : Object.keys(item).length > 0);
  if (Array.isArray(value)) {
    return value
      .map((item) => {
        if (!isBlock(item)) return `${pad}- ${Array.isArray(item) ? '[]' : item !== null && typeof item === 'object' ? '{}' : scalar(item)}\n`;
        const nested = toYaml(item, indent + 2);
        return `${pad}- ${nested.slice(indent + 2)}`;
      })
      .join('');
  }
  return Object.entries(value as Record<string, unknown>)
    .map(([key, item]) => {
      if (isBlock(item)) return `${pad}${key}:\n${toYaml(item, indent + 2)}`;
      return `${pad}${key}: ${Array.isArray(item) ? '[]' : item !== null && typeof item === 'object' ? '{}' : scalar(item)}\n`;
    })
    .join('');
}
