// The simulator applying a remote update as a phone does: it waits for the update GET /state
// offers, reports downloading and installing, then succeeded and its new inventory (or failed,
// or busy while "in a call"), and takes the next required step at once when there is one.
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeviceClient, PendingUpdate } from './device-client.ts';
import { SimulatorError, type PhoneContext } from './phone.ts';

export interface UpdateOptions {
  mac: string;
  /** Report this failure instead of installing. */
  fail?: string;
  /** Report busy (in a call) the first time an update is offered, then keep waiting. */
  busy: boolean;
  pollSeconds: number;
  timeoutSeconds: number;
}

async function waitForUpdate(ctx: PhoneContext, client: DeviceClient, options: UpdateOptions, deadline: number): Promise<PendingUpdate> {
  for (;;) {
    const { update } = await client.state();
    if (update) return update;
    if (Date.now() >= deadline) throw new SimulatorError(`No update was offered within ${options.timeoutSeconds} s. Ask an admin to run "update ${options.mac} firmware now".`);
    await sleep(Math.min(options.pollSeconds * 1000, Math.max(0, deadline - Date.now())), undefined, ctx.signal ? { signal: ctx.signal } : {});
  }
}

/** What the device reports after installing a component. */
function inventoryAfter(update: PendingUpdate) {
  if (update.component === 'firmware') return { firmwareVersion: update.version };
  if (update.component === 'teams') return { teamsVersion: update.version };
  return { components: { [update.component]: update.version } };
}

export async function applyUpdates(ctx: PhoneContext, client: DeviceClient, options: UpdateOptions): Promise<string[]> {
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  const installed: string[] = [];
  let busyReported = false;
  ctx.show(`Waiting for an update (checking every ${options.pollSeconds} s, for up to ${options.timeoutSeconds} s)`);
  for (;;) {
    const update = await waitForUpdate(ctx, client, options, deadline);
    ctx.show(`Update offered: ${update.component} ${update.version}`);
    if (options.busy && !busyReported) {
      busyReported = true;
      await client.reportUpdateStatus(update.id, 'busy', 'in a call');
      ctx.show('In a call: reported busy; the service offers it again after the call');
      continue;
    }
    await client.reportUpdateStatus(update.id, 'downloading');
    ctx.show('Downloading…');
    if (options.fail) {
      await client.reportUpdateStatus(update.id, 'failed', options.fail);
      throw new SimulatorError(`The update to ${update.version} failed: ${options.fail} (reported to the service).`);
    }
    await client.reportUpdateStatus(update.id, 'installing');
    ctx.show('Installing…');
    await client.reportUpdateStatus(update.id, 'succeeded');
    await client.reportInventory(inventoryAfter(update));
    ctx.show(`Updated: ${update.component} is now ${update.version}`);
    installed.push(update.version);
    // A required intermediate step is followed by the next one at once.
    const { update: next } = await client.state();
    if (!next) return installed;
  }
}
