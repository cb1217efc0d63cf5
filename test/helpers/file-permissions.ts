// For drills whose fault is a file permission (a database file made read-only): root ignores
// permissions through two capabilities, CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH. As root (here
// and in CI) the bot process is therefore started through util-linux's `setpriv` with both
// removed from its capability bounding set: it stays root, owns and reads the checkout wherever
// it lives, but the kernel now enforces the permission bits on it. As any other user,
// permissions already hold and the bot starts as usual.
import { spawnSync } from 'node:child_process';

const withoutPermissionOverride = ['setpriv', '--bounding-set=-dac_override,-dac_read_search', '--'];

/** The command prefix under which file permissions bind the bot process ([] when they already do). */
export function commandWherePermissionsHold(): string[] {
  if (process.getuid?.() !== 0) return [];
  const probe = spawnSync(withoutPermissionOverride[0]!, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'This drill runs as root, where file permissions do not apply, and needs `setpriv` (util-linux) to start the bot without CAP_DAC_OVERRIDE: ' +
        'install util-linux (apt-get install util-linux) or run the tests as a non-root user.',
    );
  }
  return withoutPermissionOverride;
}
