import { z } from 'zod';
import { MAX_DEVICE_CSV_BYTES as maxCsvBytes } from '../../services/devices/csv-device-list.ts';
import { DomainError } from '../../services/shared/errors.ts';
import { importResultView } from '../views/import-view.ts';
import { view } from '../views/reply.ts';
import { actorOf } from './actor.ts';
import { defineCommand, type AttachedFile } from './command-spec.ts';

/** GET, following at most 3 redirects, and only those that stay on the file's allowed hosts. */
async function fetchOnAllowedHosts(file: AttachedFile): Promise<Response> {
  const signal = AbortSignal.timeout(30_000);
  let url = file.downloadUrl;
  for (let hop = 0; hop <= 3; hop++) {
    const response = await fetch(url, { signal, redirect: 'manual' });
    const location = response.status >= 300 && response.status < 400 ? response.headers.get('location') : null;
    if (location === null) return response;
    await response.body?.cancel();
    url = new URL(location, url).href;
    if (!file.isAllowedUrl(url)) break;
  }
  throw new DomainError('invalid_input', `Could not download ${file.name}: it is redirected away from the chat's file storage. Paste the CSV after "import" instead.`);
}

/** Downloads a file attached to the message (its URL is pre-authenticated), refusing more than the import limit. */
export async function download(file: AttachedFile): Promise<Buffer> {
  if (!file.fromAllowedHost) {
    // The URL comes from the message: fetching any host would let a sender make the bot reach
    // into the network it runs in.
    throw new DomainError('invalid_input', `I only download attachments from the chat's own file storage, and ${file.name} is somewhere else. Attach it again in personal chat with me, or paste the CSV after "import".`);
  }
  const response = await fetchOnAllowedHosts(file);
  if (!response.ok || !response.body) throw new DomainError('invalid_input', `Could not download ${file.name} (HTTP ${response.status}). Send it again.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Uint8Array).length;
    if (size > maxCsvBytes) throw new DomainError('too_large', `${file.name} is larger than ${maxCsvBytes / 1024 / 1024} MB. Split it into smaller files.`);
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks);
}

export const importCommand = defineCommand({
  name: 'import',
  aliases: ['csv'],
  summary: 'Import devices from a CSV like the admin center template: paste it after the command, or attach the file in personal chat.',
  usage: 'import CSV (or attach a .csv file)',
  operation: 'import',
  args: z.string(),
  form: {
    title: 'Import devices',
    intro: 'Paste the CSV exported from, or filled in like, the admin center\'s template: a header row (MAC address,Location), then one device per row.',
    submitLabel: 'Import',
    fields: [{ id: 'csv', label: 'CSV', kind: 'multiline', required: true, placeholder: 'MAC address,Location', hint: 'Comma or semicolon separated; quotes and a BOM are fine.' }],
    toArgs: (values) => values.csv ?? '',
  },
  async run(context, pasted) {
    const file = context.files.find((candidate) => /\.csv$/i.test(candidate.name)) ?? context.files[0];
    if (!file && pasted === '') {
      throw new DomainError('invalid_input', 'Paste the CSV after "import" (header row first: MAC address,Location), or attach the .csv file to a message in personal chat with me.');
    }
    const csv = file ? await download(file) : pasted;
    const report = await context.services.devices.registry.importCsv(actorOf(context), context.tenantId, csv);
    return { view: view('importResult', importResultView(report, file ? `Imported ${file.name}` : 'Imported the pasted CSV')) };
  },
});
