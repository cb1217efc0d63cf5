// A PostgreSQL server of a test's own, for drills that stop and start the server mid-run.
// The shared cluster that other tests use must never be stopped, so this one is created with
// the real binaries (initdb, pg_ctl) in a temporary folder, on a free loopback port, with
// its socket in that folder too. PostgreSQL refuses to run as root: as root the binaries run
// as the `postgres` user (else `nobody`); on a non-root machine, as the current user.
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface PrivatePostgres {
  /** postgres://… of the server's `postgres` database, for the superuser `bot` (trust auth on loopback). */
  url: string;
  port: number;
  /** `pg_ctl stop -m fast`: clients are disconnected at once, as when a database server goes down. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** The server's own log so far (for a failing test's message). */
  log(): string;
  /** Stops the server if it runs and deletes its folder. */
  destroy(): Promise<void>;
}

const postgresRoot = '/usr/lib/postgresql';

/** The bin folder of the newest installed PostgreSQL, or null when none is installed. */
export function postgresBinDir(): string | null {
  if (!existsSync(postgresRoot)) return null;
  const versions = readdirSync(postgresRoot)
    .filter((version) => existsSync(path.join(postgresRoot, version, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(postgresRoot, versions[0], 'bin') : null;
}

/** The drill runs where the binaries are; in CI (process.env.CI) it must run, so it is never skipped there. */
export const skipPrivatePostgres = postgresBinDir() === null && !process.env.CI;

/** uid/gid to run the server as: itself unless root, then `postgres` (or `nobody`). */
function serverUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').map((line) => line.split(':'));
  const entry = passwd.find((fields) => fields[0] === 'postgres') ?? passwd.find((fields) => fields[0] === 'nobody');
  if (!entry) throw new Error('running as root, but there is neither a "postgres" nor a "nobody" user to run PostgreSQL as');
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

function run(binary: string, args: string[], options: { cwd: string; user: { uid: number; gid: number } | null }): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      args,
      { cwd: options.cwd, timeout: 120_000, env: { PATH: process.env.PATH ?? '', LC_ALL: 'C', TZ: 'UTC' }, ...(options.user ?? {}) },
      (error, stdout, stderr) => (error ? reject(new Error(`${path.basename(binary)} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(`no PostgreSQL binaries under ${postgresRoot}; install the "postgresql" package (CI does: .ci/run)`);
  const user = serverUser();
  const dir = mkdtempSync(path.join(tmpdir(), 'provisioning-bot-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const port = await freePort();
  const options = { cwd: dir, user };

  // fsync off: the drill is about the server going away, not about durability, and fsync is slow on shared disks.
  await run(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'bot', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], options);
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=40`;
  const pgCtl = (...args: string[]) => run(path.join(bin, 'pg_ctl'), ['-D', dataDir, ...args], options);
  let running = false;

  const start = async () => {
    await pgCtl('-o', serverOptions, '-l', logFile, '-w', '-t', '60', 'start');
    running = true;
  };
  const stop = async () => {
    await pgCtl('-m', 'fast', '-w', '-t', '60', 'stop');
    running = false;
  };
  await start();

  return {
    url: `postgres://bot@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    async destroy() {
      if (running) await stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
