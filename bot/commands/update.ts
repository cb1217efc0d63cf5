// `update`, `updates`, `cancel update`, `pause updates`, `resume updates`: remote updates the
// way the admin center does them (services/firmware/updates.ts).
import { z } from 'zod';
import { confirmUpdatesAbove, type UpdateTarget } from '../../services/firmware/updates.ts';
import { formatTime } from '../views/time.ts';
import { scheduledView } from '../views/firmware-views.ts';
import { noticeReply, view } from '../views/reply.ts';
import { actorOf } from './actor.ts';
import { defineCommand } from './command-spec.ts';
import { confirmationReply } from './confirmation.ts';
import { parseTarget, parseUpdateArgs, updateUsage, words, type UpdateArgs } from './firmware-args.ts';

const updateArgs = z.string().transform((raw, ctx): UpdateArgs & { raw: string } => {
  const parsed = parseUpdateArgs(raw);
  if ('problem' in parsed) {
    ctx.addIssue({ code: 'custom', message: parsed.problem });
    return z.NEVER;
  }
  return { ...parsed, raw: raw.trim() };
});

export const updateCommand = defineCommand({
  name: 'update',
  aliases: [],
  summary: 'Update devices\' firmware or apps now, at a time, or in their maintenance window (default); more than 20 devices asks first.',
  usage: updateUsage,
  operation: 'updateDevices',
  args: updateArgs,
  async run(context, args: UpdateArgs & { raw: string }) {
    const { services, tenantId } = context;
    const report = await services.firmware.updates.request(actorOf(context), tenantId, { ...args, confirmed: context.confirmed === true });
    const profile = await services.tenants.profile(tenantId);
    if (report.needsConfirmation) {
      return confirmationReply(services.clock.now(), {
        title: `Update ${report.needsConfirmation} devices?`,
        text: `More than ${confirmUpdatesAbove} devices: each gets ${args.component} ${args.version ?? 'the newest verified version'} ${args.timing.kind === 'now' ? 'now' : args.timing.kind === 'window' ? 'in its maintenance window' : `at ${args.timing.day} ${args.timing.time}`}.`,
        command: 'update',
        args: args.raw,
      }, profile.timeZone);
    }
    return { view: view('blocks', scheduledView(report, profile.timeZone)) };
  },
});

export const updatesCommand = defineCommand({
  name: 'updates',
  aliases: [],
  summary: 'List pending, running, done and failed updates, and whether automatic updates are paused.',
  usage: 'updates',
  operation: 'listUpdates',
  args: z.string().max(0, 'updates takes no arguments'),
  async run({ services, tenantId }) {
    const listed = await services.firmware.updates.list(tenantId);
    const profile = await services.tenants.profile(tenantId);
    const now = services.clock.now();
    const count = (status: string) => listed.counts[status as keyof typeof listed.counts] ?? 0;
    const paused = listed.settings.pausedUntil && listed.settings.pausedUntil.getTime() > now.getTime() ? `Automatic updates are paused until ${formatTime(listed.settings.pausedUntil, profile.timeZone)}.` : `Automatic updates run in the ${listed.settings.phase} phase, ${listed.window} local.`;
    return {
      view: view('blocks', {
        title: 'Updates',
        summary: `${count('scheduled')} pending, ${count('downloading') + count('installing')} running, ${count('succeeded')} done, ${count('failed')} failed. ${paused}`,
        blocks: [
          { kind: 'facts', facts: [
            { title: 'Pending', value: String(count('scheduled')) },
            { title: 'Running', value: String(count('downloading') + count('installing')) },
            { title: 'Done', value: String(count('succeeded')) },
            { title: 'Failed', value: String(count('failed')) },
            { title: 'Cancelled', value: String(count('cancelled')) },
          ] },
          { kind: 'text', text: paused },
          ...(listed.recent.length > 0
            ? [{ kind: 'table' as const, columns: ['Device', 'Update', 'Status', 'From'], rows: listed.recent.map((update) => [update.mac, `${update.component} ${update.version}`, `${update.status}${update.detail ? ` (${update.detail})` : ''}`, formatTime(update.notBefore, profile.timeZone)]) }]
            : [{ kind: 'text' as const, subtle: true, text: 'No update yet. "update MAC firmware now" starts one.' }]),
        ],
      }),
    };
  },
});

const cancelArgs = z.string().transform((raw, ctx): UpdateTarget => {
  const [first, ...rest] = words(raw);
  if (!first || !/^updates?$/i.test(first)) {
    ctx.addIssue({ code: 'custom', message: 'write "cancel update MAC…", "cancel update location NAME", "cancel update model MODEL" or "cancel update all"' });
    return z.NEVER;
  }
  const parsed = parseTarget(rest);
  if ('problem' in parsed || parsed.rest.length > 0) {
    ctx.addIssue({ code: 'custom', message: 'problem' in parsed ? parsed.problem : `"${parsed.rest.join(' ')}" does not fit here` });
    return z.NEVER;
  }
  return parsed.target;
});

export const cancelUpdateCommand = defineCommand({
  name: 'cancel',
  aliases: [],
  summary: 'Cancel scheduled updates (not those already running).',
  usage: 'cancel update MAC…|location NAME|model MODEL|all',
  operation: 'updateDevices',
  args: cancelArgs,
  async run(context, target: UpdateTarget) {
    const result = await context.services.firmware.updates.cancel(actorOf(context), context.tenantId, target);
    const running = result.running.length ? ` Already running, not cancelled: ${result.running.join(', ')}.` : '';
    return noticeReply('Updates cancelled', `${result.cancelled.length} scheduled ${result.cancelled.length === 1 ? 'update' : 'updates'} cancelled${result.cancelled.length ? `: ${result.cancelled.slice(0, 20).join(', ')}` : ''}.${running}`, 'good');
  },
});

const updatesWord = z.string().regex(/^updates?$/i, 'write "pause updates" or "resume updates"');

export const pauseUpdatesCommand = defineCommand({
  name: 'pause',
  aliases: [],
  summary: 'Pause automatic updates in the whole organisation for 15 days (manual updates still run).',
  usage: 'pause updates',
  operation: 'updateDevices',
  args: updatesWord,
  async run(context) {
    const until = await context.services.firmware.updates.pause(actorOf(context), context.tenantId);
    const profile = await context.services.tenants.profile(context.tenantId);
    return noticeReply('Automatic updates paused', `No automatic update starts until ${formatTime(until, profile.timeZone)}; then they resume by themselves. "resume updates" ends the pause sooner.`, 'attention');
  },
});

export const resumeUpdatesCommand = defineCommand({
  name: 'resume',
  aliases: [],
  summary: 'End a pause of automatic updates.',
  usage: 'resume updates',
  operation: 'updateDevices',
  args: updatesWord,
  async run(context) {
    const wasPaused = await context.services.firmware.updates.resume(actorOf(context), context.tenantId);
    return noticeReply('Automatic updates resumed', wasPaused ? 'Automatic updates go on from their next maintenance window.' : 'Automatic updates were not paused.', 'good');
  },
});
