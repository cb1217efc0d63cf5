// `firmware`: readiness of the fleet per model, of one device, and the catalog's releases
// (admins add them with `firmware release …` or `firmware import`, and set update phases).
import { z } from 'zod';
import { authorize } from '../../services/auth/permissions.ts';
import { DomainError } from '../../services/shared/errors.ts';
import { deviceFirmwareView, fleetFirmwareView } from '../views/firmware-views.ts';
import { noticeReply, view } from '../views/reply.ts';
import { actorOf } from './actor.ts';
import { defineCommand } from './command-spec.ts';
import { parseFirmwareArgs, type FirmwareArgs } from './firmware-args.ts';
import { download } from './import.ts';

const firmwareArgs = z.string().transform((raw, ctx): FirmwareArgs => {
  const parsed = parseFirmwareArgs(raw);
  if ('problem' in parsed) {
    ctx.addIssue({ code: 'custom', message: parsed.problem });
    return z.NEVER;
  }
  return parsed;
});

export const firmwareCommand = defineCommand({
  name: 'firmware',
  aliases: ['fw'],
  summary: 'Firmware readiness per model (below the minimum, unknown versions, updates available), or of one device; admins add releases.',
  usage: 'firmware [MAC | release MODEL COMPONENT VERSION [verified|preview] [released DATE] | import | phase PHASE [location NAME | MAC] | window DAY HH:mm [HOURS]]',
  operation: 'viewFirmware',
  args: firmwareArgs,
  async run(context, args: FirmwareArgs) {
    const { services, tenantId, roles } = context;
    const firmware = services.firmware;
    switch (args.kind) {
      case 'fleet':
        return { view: view('blocks', fleetFirmwareView(await firmware.fleet(tenantId))) };
      case 'device': {
        const details = await firmware.device(tenantId, args.mac);
        const updates = await services.firmware.updates.list(tenantId, 200);
        const profile = await services.tenants.profile(tenantId);
        const mine = updates.recent.filter((update) => update.deviceId === details.device.id).slice(0, 5);
        return { view: view('blocks', deviceFirmwareView(details, mine, profile.timeZone)) };
      }
      case 'release': {
        authorize(roles, 'manageFirmware', 'Adding a firmware release');
        const added = await firmware.addRelease(actorOf(context), tenantId, args);
        const rule = added.label === 'verified' ? 'Devices get it by their phase (validation at once, general after 30 days, final after 90 for firmware), in their maintenance window.' : 'A preview release is applied only when an admin asks ("update … to VERSION").';
        return noticeReply(added.replaced ? 'Release changed' : 'Release added', `${added.family.name} ${args.component} **${added.version}** (${added.label}, released ${added.released}) is ${added.replaced ? 'updated' : 'in the catalog'}. ${rule}`, 'good');
      }
      case 'import': {
        authorize(roles, 'manageFirmware', 'Importing a firmware catalog');
        const file = context.files.find((candidate) => /\.json$/i.test(candidate.name)) ?? context.files[0];
        const text = file ? (await download(file)).toString('utf8') : args.text;
        if (text.trim() === '') throw new DomainError('invalid_input', 'Attach the catalog file (.json) or paste its JSON after "firmware import".');
        const result = await firmware.importCatalog(actorOf(context), tenantId, text);
        const notes = result.problems.length ? ` Note: ${result.problems.join('; ')}.` : '';
        return noticeReply('Catalog imported', `${result.added} releases added, ${result.changed} changed.${notes}`, 'good');
      }
      case 'window': {
        authorize(roles, 'manageFirmware', 'Setting the maintenance window');
        const shown = await firmware.updates.setWindow(actorOf(context), tenantId, { day: args.day, start: args.start, hours: args.hours });
        return noticeReply('Maintenance window set', `Automatic and "window" updates now run ${shown}, in each device's local time (its location's time zone, else the organisation's).`, 'good');
      }
      case 'phase': {
        authorize(roles, 'manageFirmware', 'Setting an update phase');
        await firmware.updates.setPhase(actorOf(context), tenantId, args.phase, args.scope);
        const where = args.scope.kind === 'tenant' ? 'The organisation' : args.scope.kind === 'location' ? `Location "${args.scope.location}"` : `Device ${args.scope.mac}`;
        return noticeReply('Phase set', `${where} is now in the **${args.phase}** phase.`, 'good');
      }
    }
  },
});
