// The crash drills' rig (test/integration/reliability/crash*.test.ts): the bot as a real
// process on a SQLite file in a scratch directory, killed with SIGKILL and started again on the
// same file, with one fake Teams channel in the test process that outlives every bot process
// (the stored conversation references point at it) and counts what each one sent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { startBotProcess, waitUntilReady, type BotProcess } from './bot-process.ts';
import { FakeChannel } from './fake-channel.ts';

export const crashAdminId = '3c9a7b10-0000-4000-8000-00000000c4a5';
export const crashAdmin = { id: '29:crash-admin', name: 'Cas Admin', aadObjectId: crashAdminId };
export const crashAdminChat = `a:personal-${crashAdminId}`;

/** One life of the bot: a process on the rig's database file, with the channel pointed at it. */
export interface Life {
  process: BotProcess;
  url: string;
}

export interface Rig {
  dir: string;
  databaseFile: string;
  channel: FakeChannel;
  lives: Life[];
}

const rigs: Rig[] = [];

export async function newRig(): Promise<Rig> {
  const dir = mkdtempSync(path.join(tmpdir(), 'provisioning-bot-crash-'));
  const rig: Rig = { dir, databaseFile: path.join(dir, 'bot.db'), channel: await FakeChannel.start(), lives: [] };
  rigs.push(rig);
  return rig;
}

/** For afterEach: kills what is still running (only the processes the rigs started), closes the channels, removes the files. */
export async function cleanUpRigs(): Promise<void> {
  for (const rig of rigs.splice(0)) {
    for (const life of rig.lives) {
      if (life.process.child.exitCode === null && life.process.child.signalCode === null) {
        life.process.child.kill('SIGKILL');
        await life.process.exited;
      }
    }
    await rig.channel.close();
    rmSync(rig.dir, { recursive: true, force: true });
  }
}

/** Starts the bot on the rig's file and waits for /readyz 200: the database answers and every migration is applied (after a crash too). */
export async function startLife(rig: Rig): Promise<Life> {
  const process = startBotProcess(rig.dir, { DATABASE_URL: `file:${rig.databaseFile}`, ADMIN_USER_IDS: crashAdminId, LOG_LEVEL: 'info' });
  const port = await process.listening;
  const url = `http://127.0.0.1:${port}`;
  const life = { process, url };
  rig.lives.push(life);
  await waitUntilReady(`${url}/readyz`, 30_000);
  rig.channel.useBot(url);
  return life;
}

/** SIGKILL: no shutdown handler runs, nothing is flushed. */
export async function kill9(life: Life): Promise<void> {
  life.process.child.kill('SIGKILL');
  expect(await life.process.exited).toBe('SIGKILL');
}
