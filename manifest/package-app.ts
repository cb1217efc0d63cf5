// `npm run package` writes build/slack-manifest.yaml, the manifest a Slack app is created from
// (needs PUBLIC_BASE_URL), and build/app-package.zip, the package an admin uploads in Teams
// (Apps → Manage your apps → Upload an app; needs MicrosoftAppId too). Both from the environment or .env.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { ConfigError, parseConfig } from '../bot/config.ts';
import { loadEnvironment } from '../bot/environment.ts';
import { commands } from '../bot/commands/index.ts';
import { buildManifest } from './app-manifest.ts';
import { buildSlackManifest, toYaml } from './slack-manifest.ts';
import { zip } from './zip.ts';

const manifestDir = path.dirname(fileURLToPath(import.meta.url));
const packageJson = JSON.parse(readFileSync(path.join(manifestDir, '..', 'package.json'), 'utf8')) as { version: string };

try {
  const config = parseConfig(loadEnvironment());
  const buildDir = path.join(manifestDir, '..', 'build');
  mkdirSync(buildDir, { recursive: true });
  const slackOut = path.join(buildDir, 'slack-manifest.yaml');
  writeFileSync(slackOut, `# The Slack app of provisioning-bot: api.slack.com/apps → Create New App → From a manifest.\n${toYaml(buildSlackManifest({ publicBaseUrl: config.publicBaseUrl, commands, socketMode: config.slack?.appToken != null }))}`);
  console.log(`Wrote ${path.relative(process.cwd(), slackOut)}: create the Slack app from it (README: "Slack").`);
  if (config.botAuth.appId === '') {
    throw new ConfigError('MicrosoftAppId is not set: Teams needs the bot\'s app id in the package. Set it (and PUBLIC_BASE_URL) in .env, then run this again.');
  }
  const manifest = buildManifest({ appId: config.botAuth.appId, publicBaseUrl: config.publicBaseUrl, version: packageJson.version, commands, tabClientId: config.tabSso.clientId });
  const outDir = path.join(manifestDir, '..', 'build');
  mkdirSync(outDir, { recursive: true });
  const out = path.join(outDir, 'app-package.zip');
  writeFileSync(
    out,
    zip([
      { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest, null, 2)) },
      { name: 'color.png', data: readFileSync(path.join(manifestDir, 'icons', 'color.png')) },
      { name: 'outline.png', data: readFileSync(path.join(manifestDir, 'icons', 'outline.png')) },
    ]),
  );
  console.log(`Wrote ${path.relative(process.cwd(), out)}: upload it in Teams (Apps → Manage your apps → Upload an app).`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
