// The command registry: add a command by writing its spec file and listing it here.
// `help` and the manifest's command list are generated from this list, in this order.
import type { CommandSpec } from './command-spec.ts';
import { codesCommand } from './codes.ts';
import { digestCommand } from './digest.ts';
import { exportCommand } from './export.ts';
import { grantCommand } from './grant.ts';
import { helpCommand } from './help.ts';
import { importCommand } from './import.ts';
import { listCommand } from './list.ts';
import { registerCommand } from './register.ts';
import { revokeCommand } from './revoke.ts';
import { rolesCommand } from './roles.ts';
import { setupCommand } from './setup.ts';
import { signInCommand } from './signin.ts';
import { statusCommand } from './status.ts';
import { whoamiCommand } from './whoami.ts';
import { jobsCommand } from './jobs.ts';
import { timeZoneCommand } from './timezone.ts';
import { unlockCommand } from './unlock.ts';
import { assignCommand, assignmentsCommand, unassignCommand } from './assign.ts';
import { accountsCommand } from './accounts.ts';
import { autoSignInCommand } from './auto-signin.ts';
import { sipCommand } from './sip.ts';
import { linkCommand } from './link.ts';
import { firmwareCommand } from './firmware.ts';
import { cancelUpdateCommand, pauseUpdatesCommand, resumeUpdatesCommand, updateCommand, updatesCommand } from './update.ts';

export const commands: readonly CommandSpec[] = [
  helpCommand,
  registerCommand,
  importCommand,
  codesCommand,
  listCommand,
  statusCommand,
  signInCommand,
  exportCommand,
  setupCommand,
  grantCommand,
  revokeCommand,
  rolesCommand,
  whoamiCommand,
  digestCommand,
  jobsCommand,
  timeZoneCommand,
  unlockCommand,
  assignCommand,
  unassignCommand,
  assignmentsCommand,
  accountsCommand,
  autoSignInCommand,
  sipCommand,
  linkCommand,
  firmwareCommand,
  updateCommand,
  updatesCommand,
  cancelUpdateCommand,
  pauseUpdatesCommand,
  resumeUpdatesCommand,
];
