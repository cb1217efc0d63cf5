// `sip …`: SIP Gateway bulk sign-in of SIP phones from chat (services/sip/). One command, its
// verbs parsed in sip-args.ts; each verb asks the permission table about its own operation.
import { authorize } from '../../services/auth/permissions.ts';
import { actorLabel } from '../../services/shared/actor.ts';
import { DomainError } from '../../services/shared/errors.ts';
import { maxBatchSize } from '../../services/sip/batching.ts';
import { buildSipExport } from '../exports/sip-export.ts';
import { view } from '../views/reply.ts';
import { sipBatchCardView, sipCheckView, sipImportView, sipSignInStartedView, sipStatusView, sipUrlsView } from '../views/sip-views.ts';
import { actorOf } from './actor.ts';
import { defineCommand, type CommandContext, type Reply } from './command-spec.ts';
import { confirmationReply } from './confirmation.ts';
import { maxExportChars } from './export.ts';
import { download } from './import.ts';
import { sipArgs, sipUsage, type SipRequest } from './sip-args.ts';

const blocks = (data: Parameters<typeof view<'blocks'>>[1]): Reply => ({ view: view('blocks', data) });

async function importList(context: CommandContext, pasted: string): Promise<Reply> {
  authorize(context.roles, 'sipImport', 'Importing a SIP sign-in list');
  const file = context.files.find((candidate) => /\.csv$/i.test(candidate.name)) ?? context.files[0];
  if (!file && pasted.trim() === '') {
    throw new DomainError('invalid_input', 'Paste the CSV after "sip import" (header first: Username,HardwareId), or attach the .csv file in personal chat with me.');
  }
  const csv = file ? await download(file) : pasted;
  const report = await context.services.sip.signIn.importCsv(actorLabel(actorOf(context)), context.tenantId, csv);
  return blocks(sipImportView(report));
}

async function signIn(context: CommandContext, request: Extract<SipRequest, { verb: 'signin' | 'retry' }>, typed: string): Promise<Reply> {
  authorize(context.roles, 'sipSignIn', request.verb === 'retry' ? 'Retrying SIP sign-ins' : 'Signing SIP phones in');
  const { services, tenantId } = context;
  const selection = { ...(request.importId ? { importId: request.importId } : {}), ...(request.region ? { region: request.region } : {}), ...(request.batchSize ? { batchSize: request.batchSize } : {}) };
  if (!context.confirmed) {
    const count = await services.sip.signIn.countToSend(tenantId, selection, request.verb === 'retry');
    if (count > maxBatchSize) {
      const profile = await services.tenants.profile(tenantId);
      return confirmationReply(services.clock.now(), {
        title: `Sign in ${count} SIP devices?`,
        text: `${count} accounts${request.region ? ` in ${request.region}` : ''} go to the SIP Gateway in batches of at most ${maxBatchSize}, 3 at a time per region.`,
        command: 'sip',
        args: typed,
      }, profile.timeZone);
    }
  }
  const result = request.verb === 'retry' ? await services.sip.signIn.retry(tenantId, selection) : await services.sip.signIn.signIn(tenantId, selection);
  return blocks(sipSignInStartedView(result));
}

async function exportResults(context: CommandContext, importId: string | undefined): Promise<Reply> {
  authorize(context.roles, 'sipExport', 'Exporting SIP sign-in results');
  const { services, tenantId } = context;
  const id = importId ?? (await services.sip.signIn.latestImportId(tenantId));
  const status = await services.sip.signIn.status(tenantId, id);
  if (context.exportLink) {
    const link = context.exportLink(`sip:${id}`);
    return { text: `SIP sign-in results: ${status.total} rows. Download [the CSV](${link.url}) (for Excel). The link works for 15 minutes, for anyone who has it: do not forward it.` };
  }
  // A door without file links: the CSV in the message, as "export" does.
  const file = await buildSipExport(services, tenantId, id);
  const text = file.csv.replace(/^\uFEFF/, '');
  return { text: `SIP sign-in results: ${file.rows} rows.\n\n\`\`\`\n${text.length <= maxExportChars ? text : text.slice(0, text.lastIndexOf('\n', maxExportChars) + 1)}\`\`\`` };
}

async function setRegion(context: CommandContext, request: Extract<SipRequest, { verb: 'region' }>): Promise<Reply> {
  authorize(context.roles, 'sipSettings', 'Setting SIP regions');
  const { settings } = context.services.sip;
  if (request.location === null) {
    await settings.setDefaultRegion(context.tenantId, request.region);
    return { text: `SIP accounts without a Region column or a location's region now go to ${request.region}. Lists imported from now on use it.` };
  }
  await settings.setLocationRegion(context.tenantId, request.location, request.region);
  return { text: `SIP accounts at ${request.location} now go to ${request.region} (unless their Region column says otherwise).` };
}

async function checklist(context: CommandContext, tick: { id: string; done: boolean } | undefined): Promise<Reply> {
  const { services, tenantId } = context;
  if (tick) {
    authorize(context.roles, 'sipSettings', 'Ticking SIP prerequisites');
    await services.sip.settings.tick(tenantId, tick.id, tick.done);
  }
  const [settings, profile] = await Promise.all([services.sip.settings.read(tenantId), services.tenants.profile(tenantId)]);
  return blocks(sipCheckView(settings.checklist, services.sip.gateway.name, profile.timeZone, services.clock.now()));
}

async function onboarded(context: CommandContext, request: Extract<SipRequest, { verb: 'onboarded' }>): Promise<Reply> {
  authorize(context.roles, 'sipImport', 'Recording when SIP devices were onboarded');
  const { services, tenantId } = context;
  const at = request.at.toLowerCase() === 'now' ? services.clock.now() : new Date(/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}$/.test(request.at) ? `${request.at.replace(' ', 'T')}:00Z` : request.at);
  if (Number.isNaN(at.getTime())) throw new DomainError('invalid_input', `"${request.at}" is not a time: write "now", or 2026-12-07 09:30 (UTC).`);
  const updated = await services.sip.deadlines.setOnboarded(tenantId, request.importId, at);
  return { text: `Recorded: the ${updated} devices of import ${request.importId} not yet signed in were onboarded at ${at.toISOString()}. The bot warns at 48 h and 66 h; the deadline is 72 h after onboarding.` };
}

/** An import's status (default: the latest), or one batch's card when the id is a batch's. */
async function statusOf(context: CommandContext, id: string | undefined): Promise<Reply> {
  const { services, tenantId } = context;
  if (id && !(await services.sip.signIn.isImport(tenantId, id))) {
    const [batch, profile] = await Promise.all([services.sip.signIn.batch(tenantId, id), services.tenants.profile(tenantId)]);
    return blocks(sipBatchCardView(batch, services.clock.now(), profile.timeZone));
  }
  const status = await services.sip.signIn.status(tenantId, id);
  // Without an id: also the batches still open in other imports, so nothing running goes unseen.
  const shown = new Set(status.batches.map((batch) => batch.id));
  const elsewhere = id ? [] : (await services.sip.signIn.openBatches(tenantId)).filter((batch) => !shown.has(batch.id));
  return blocks(sipStatusView(status, elsewhere));
}

export const sipCommand = defineCommand({
  name: 'sip',
  aliases: [],
  summary: 'SIP Gateway bulk sign-in of SIP phones: import a Username,HardwareId list, sign it in batch by batch, see every error explained.',
  usage: sipUsage,
  operation: 'sipView',
  args: sipArgs,
  // The dialog imports a list (the other verbs are one line to type).
  form: {
    title: 'Import SIP phones for bulk sign-in',
    intro: 'Paste the list: a header row (Username,HardwareId; Region, Location and Onboarded are optional), then one phone or ATA port per row.',
    submitLabel: 'Import',
    fields: [{ id: 'csv', label: 'CSV', kind: 'multiline', required: true, placeholder: 'Username,HardwareId', hint: 'Comma or semicolon separated; quotes and a BOM are fine. HardwareId: a MAC, or MAC:001 for an ATA port.' }],
    toArgs: (values) => `import ${values.csv ?? ''}`,
  },
  async run(context, request) {
    switch (request.verb) {
      case 'import':
        return importList(context, request.csv);
      case 'signin':
      case 'retry':
        return signIn(context, request, typedArgs(request));
      case 'status':
        return statusOf(context, request.importId);
      case 'export':
        return exportResults(context, request.importId);
      case 'region':
        return setRegion(context, request);
      case 'urls':
        return blocks(sipUrlsView(context.tenantId));
      case 'check':
        return checklist(context, request.tick);
      case 'onboarded':
        return onboarded(context, request);
    }
  },
});

/** The request as typed again, for a confirmation that reruns it. */
function typedArgs(request: Extract<SipRequest, { verb: 'signin' | 'retry' }>): string {
  return [request.verb, request.importId ?? 'all', ...(request.region ? ['region', request.region] : []), ...(request.batchSize ? ['size', String(request.batchSize)] : [])].join(' ');
}
