// For drills whose fault is a file permission: as root (here and in CI) permissions are
// ignored, so the bot process runs as `nobody` instead (drop-root.mjs); as any other user,
// permissions already hold and the bot runs as that user.
import { spawnSync } from 'node:child_process';
import { chownSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface UnixUser {
  name: string;
  uid: number;
  gid: number;
}

const dropRootModule = fileURLToPath(new URL('./drop-root.mjs', import.meta.url));

/** `nobody` when this process is root; null when it is not (the bot may then run as this user). */
export function unprivilegedUser(): UnixUser | null {
  if (process.getuid?.() !== 0) return null;
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === 'nobody');
  if (!entry) throw new Error('running as root, but there is no "nobody" user to run the bot as (file permissions do not apply to root)');
  return { name: 'nobody', uid: Number(entry[2]), gid: Number(entry[3]) };
}

/**
 * Fails with what to do when `user` cannot run Node on these files (e.g. a checkout under
 * /root, or Node installed in a home folder): the drill would otherwise fail obscurely.
 */
export function assertCanRun(user: UnixUser | null, files: readonly string[]): void {
  if (!user) return;
  const check = `for (const file of ${JSON.stringify(files)}) require('node:fs').accessSync(file, require('node:fs').constants.R_OK)`;
  const result = spawnSync(process.execPath, ['-e', check], { uid: user.uid, gid: user.gid, encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) {
    const why = result.error?.message ?? result.stderr.split('\n').find((line) => /Error/.test(line)) ?? `exit ${String(result.status)}`;
    throw new Error(
      `This drill runs the bot as "${user.name}" (root ignores file permissions), but ${user.name} cannot run ${process.execPath} on the project (${why}). ` +
        'Make Node and the checkout readable by others (chmod o+rX on them and their folders), or run the tests as a non-root user.',
    );
  }
}

/** Environment for startBotProcess: the bot process switches to `user` before it starts. */
export function runAsEnv(user: UnixUser | null): Record<string, string> {
  if (!user) return {};
  return { NODE_OPTIONS: `--import ${dropRootModule}`, DROP_TO_UID: String(user.uid), DROP_TO_GID: String(user.gid) };
}

/** Gives `path` to `user` (no-op when null), so the bot running as that user can write there. */
export function handOver(path: string, user: UnixUser | null): void {
  if (user) chownSync(path, user.uid, user.gid);
}
