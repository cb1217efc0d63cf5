// The Teams app package: a manifest that Teams' own schema accepts, built from the registry.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AppManifestUtils } from '@microsoft/app-manifest';
import { describe, expect, it } from 'vitest';
import { commands } from '../../../bot/commands/index.ts';
import { buildManifest } from '../../../manifest/app-manifest.ts';
import { zip } from '../../../manifest/zip.ts';

const input = { appId: '11111111-2222-3333-4444-555555555555', publicBaseUrl: 'https://bot.contoso.com', version: '0.1.0', commands };

describe('Teams app manifest', () => {
  it('validates against the Teams manifest schema, offline', async () => {
    const manifest = buildManifest(input);
    const errors = await AppManifestUtils.validateAgainstSchema(manifest as unknown as Parameters<typeof AppManifestUtils.validateAgainstSchema>[0]);
    expect(errors).toEqual([]);
  });

  it('a broken manifest is reported by the same validation (the check can fail)', async () => {
    const manifest = { ...buildManifest(input), accentColor: 'purple', id: 'not-a-guid' };
    const errors = await AppManifestUtils.validateAgainstSchema(manifest as unknown as Parameters<typeof AppManifestUtils.validateAgainstSchema>[0]);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('with a tab client id: validates, has the Fleet tab after the chat, webApplicationInfo, the tab host in validDomains', async () => {
    const tabClientId = '66666666-7777-4888-9999-000000000000';
    const manifest = buildManifest({ ...input, tabClientId }) as Record<string, unknown> & {
      staticTabs: { entityId: string; contentUrl?: string; scopes: string[] }[];
      webApplicationInfo: { id: string; resource: string };
      validDomains: string[];
    };
    const errors = await AppManifestUtils.validateAgainstSchema(manifest as unknown as Parameters<typeof AppManifestUtils.validateAgainstSchema>[0]);
    expect(errors).toEqual([]);
    expect(manifest.staticTabs.map((tab) => tab.entityId)).toEqual(['conversations', 'fleet']);
    expect(manifest.staticTabs[1]?.contentUrl).toBe('https://bot.contoso.com/tab/');
    expect(manifest.webApplicationInfo).toEqual({ id: tabClientId, resource: `api://bot.contoso.com/${tabClientId}` });
    expect(manifest.validDomains).toContain(new URL(manifest.staticTabs[1]?.contentUrl ?? '').host);
    expect(buildManifest(input)).not.toHaveProperty('staticTabs');
  });

  it('lists the registry commands, supports files and allows the bot host', () => {
    const manifest = buildManifest(input) as { bots: { supportsFiles: boolean; commandLists: { commands: { title: string; description: string }[] }[] }[]; validDomains: string[] };
    const bot = manifest.bots[0];
    expect(bot?.supportsFiles).toBe(true);
    // Teams shows at most 10 commands per list: the first 10 of the registry, everyday ones first.
    expect(bot?.commandLists[0]?.commands).toEqual(commands.slice(0, 10).map((command) => ({ title: command.name, description: command.summary })));
    expect(manifest.validDomains).toEqual(['bot.contoso.com']);
  });
});

describe('zip', () => {
  it('writes an archive that a standard unzipper reads back byte for byte', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'zip-test-'));
    try {
      const entries = [
        { name: 'manifest.json', data: Buffer.from('{"a":1}') },
        { name: 'color.png', data: readFileSync('manifest/icons/color.png') },
      ];
      const file = path.join(dir, 'app.zip');
      writeFileSync(file, zip(entries));
      const listing = execFileSync('python3', ['-c', 'import sys,zipfile,json;z=zipfile.ZipFile(sys.argv[1]);assert z.testzip() is None;print(json.dumps({n:z.read(n).hex() for n in z.namelist()}))', file]).toString();
      expect(JSON.parse(listing)).toEqual(Object.fromEntries(entries.map((entry) => [entry.name, entry.data.toString('hex')])));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('command summaries', () => {
  it('every summary fits the 128 characters Teams allows in a command list', () => {
    for (const command of commands) expect(command.summary.length, command.name).toBeLessThanOrEqual(128);
  });
});
