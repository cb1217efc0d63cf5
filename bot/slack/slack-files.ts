// Files uploaded to the bot's direct messages (a CSV to import): the file_shared event names the
// file, files.info gives its private download URL, and the bot downloads it with its token.
// Slack answers a download without a valid token with its HTML sign-in page and status 200, so
// an HTML answer is refused with what to fix instead of being imported as a broken CSV. Only
// Slack's file hosts (and the configured API's host) are fetched, redirects included.
import type { AttachedFile } from '../commands/command-spec.ts';
import { MAX_DEVICE_CSV_BYTES as maxCsvBytes } from '../../services/devices/csv-device-list.ts';
import { DomainError } from '../../services/shared/errors.ts';
import type { SlackWebClient } from './slack-web-client.ts';

export interface SlackFileSource {
  client: SlackWebClient;
  botToken: string;
  /** The Web API's base URL: its host serves files too (a mirror, or the tests' fake Slack). */
  apiUrl: string;
}

function allowedHosts(apiUrl: string): Set<string> {
  return new Set(['files.slack.com', 'slack-files.com', new URL(apiUrl).host]);
}

/** The file as the import command reads it; null when it is not a file the bot can read (not found, not a CSV). */
export async function sharedFile(source: SlackFileSource, fileId: string): Promise<AttachedFile | null> {
  const info = await source.client.files.info({ file: fileId });
  const file = info.file as { name?: string; url_private_download?: string; url_private?: string; size?: number } | undefined;
  const url = file?.url_private_download ?? file?.url_private;
  if (!file || !url) return null;
  const name = file.name ?? 'file';
  const hosts = allowedHosts(source.apiUrl);
  const isAllowedUrl = (candidate: string) => URL.canParse(candidate) && /^https?:$/.test(new URL(candidate).protocol) && hosts.has(new URL(candidate).host);
  return { name, downloadUrl: url, fromAllowedHost: isAllowedUrl(url), isAllowedUrl, read: () => download(source.botToken, name, url, isAllowedUrl, file.size) };
}

async function download(token: string, name: string, url: string, isAllowedUrl: (url: string) => boolean, size: number | undefined): Promise<Buffer> {
  if (size !== undefined && size > maxCsvBytes) throw new DomainError('too_large', `${name} is larger than ${maxCsvBytes / 1024 / 1024} MB. Split it into smaller files.`);
  const signal = AbortSignal.timeout(30_000);
  let target = url;
  for (let hop = 0; hop <= 3; hop++) {
    if (!isAllowedUrl(target)) break;
    const response = await fetch(target, { signal, redirect: 'manual', headers: { authorization: `Bearer ${token}` } });
    const location = response.status >= 300 && response.status < 400 ? response.headers.get('location') : null;
    if (location !== null) {
      await response.body?.cancel();
      target = new URL(location, target).href;
      continue;
    }
    if (!response.ok || !response.body) throw new DomainError('invalid_input', `Could not download ${name} from Slack (HTTP ${response.status}). Upload it again.`);
    const body = await readLimited(response, name);
    const start = body.subarray(0, 200).toString('utf8').trimStart().toLowerCase();
    if ((response.headers.get('content-type') ?? '').includes('text/html') || start.startsWith('<!doctype html') || start.startsWith('<html')) {
      throw new DomainError(
        'invalid_input',
        `Slack answered its sign-in page instead of ${name}: the bot's token cannot read files. An admin of the Slack app adds the files:read scope and reinstalls it; meanwhile paste the CSV after "/provision import".`,
      );
    }
    return body;
  }
  throw new DomainError('invalid_input', `Could not download ${name}: it is not on Slack's file storage. Paste the CSV after "/provision import" instead.`);
}

async function readLimited(response: Response, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > maxCsvBytes) throw new DomainError('too_large', `${name} is larger than ${maxCsvBytes / 1024 / 1024} MB. Split it into smaller files.`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
