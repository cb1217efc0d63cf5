// The Slack app manifest that `npm run package` writes: generated from the command registry and
// PUBLIC_BASE_URL, valid YAML (read back by PyYAML where installed), every URL on the one route.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from '../../../bot/commands/index.ts';
import { buildSlackManifest, toYaml } from '../../../manifest/slack-manifest.ts';

const hasPyYaml = spawnSync('python3', ['-c', 'import yaml'], { stdio: 'ignore' }).status === 0;
const readYaml = (text: string) => JSON.parse(execFileSync('python3', ['-c', 'import sys,yaml,json;print(json.dumps(yaml.safe_load(sys.stdin.read())))'], { input: text }).toString()) as unknown;

describe('the Slack app manifest', () => {
  const manifest = buildSlackManifest({ publicBaseUrl: 'https://bot.example.com/', commands }) as {
    features: { slash_commands: { command: string; url: string; usage_hint: string; should_escape: boolean }[] };
    settings: { event_subscriptions: { request_url: string; bot_events: string[] }; interactivity: { request_url: string } };
    oauth_config: { scopes: { bot: string[] } };
  };

  it('points the slash command, events and interactivity at PUBLIC_BASE_URL/api/slack/events', () => {
    const url = 'https://bot.example.com/api/slack/events';
    expect(manifest.features.slash_commands.map((command) => [command.command, command.url])).toEqual([['/provision', url]]);
    expect(manifest.settings.event_subscriptions.request_url).toBe(url);
    expect(manifest.settings.interactivity.request_url).toBe(url);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_mention', 'message.im', 'file_shared']);
    expect(manifest.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['commands', 'chat:write', 'files:read', 'im:history']));
  });

  it('turns Socket Mode on only with an app-level token', () => {
    const settingsOf = (socketMode: boolean) => (buildSlackManifest({ publicBaseUrl: 'https://bot.example.com', commands, socketMode }) as { settings: { socket_mode_enabled: boolean } }).settings;
    expect(manifest.settings).toMatchObject({ socket_mode_enabled: false });
    expect(settingsOf(true).socket_mode_enabled).toBe(true);
  });

  it('lists every command of the registry in the usage hint', () => {
    const hint = manifest.features.slash_commands[0]!.usage_hint.split(' | ');
    expect(hint).toEqual(commands.map((command) => command.name));
  });

  it.skipIf(!hasPyYaml)('is YAML that reads back as the same manifest, quotes and all', () => {
    const tricky = { a: 'say "hi": #not-a-comment', b: ['x: y', '- z'], c: { d: true, e: 3, f: [] } };
    expect(readYaml(toYaml(tricky))).toEqual(tricky);
    expect(readYaml(toYaml(manifest))).toEqual(manifest);
  });

  it('is written by npm run package', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'slack-manifest-'));
    try {
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'manifest/package-app.ts'], { env: { ...process.env, PUBLIC_BASE_URL: 'https://bot.example.com', MicrosoftAppId: '' }, encoding: 'utf8' });
      expect(result.stdout).toContain('build/slack-manifest.yaml');
      const written = readFileSync('build/slack-manifest.yaml', 'utf8');
      expect(written).toContain('"https://bot.example.com/api/slack/events"');
      if (hasPyYaml) expect(readYaml(written)).toEqual(JSON.parse(JSON.stringify(buildSlackManifest({ publicBaseUrl: 'https://bot.example.com', commands }))));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
