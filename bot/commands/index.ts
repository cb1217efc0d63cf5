// The command registry: add a command by writing its spec file and listing it here.
// `help` and the manifest's command list are generated from this list.
import type { CommandSpec } from './command-spec.ts';
import { helpCommand } from './help.ts';
import { whoamiCommand } from './whoami.ts';

export const commands: readonly CommandSpec[] = [helpCommand, whoamiCommand];
