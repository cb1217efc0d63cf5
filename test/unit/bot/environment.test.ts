import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadEnvironment } from '../../../bot/environment.ts';

describe('loadEnvironment', () => {
  let dir: string;
  let envFile: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'provisioning-bot-env-'));
    envFile = path.join(dir, '.env');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a .env file fills in what the process does not set', () => {
    writeFileSync(envFile, '# local settings\nPORT=4000\nPUBLIC_BASE_URL="https://bot.example.com"\n');

    expect(loadEnvironment(envFile, { LOG_LEVEL: 'debug' })).toEqual({
      PORT: '4000',
      PUBLIC_BASE_URL: 'https://bot.example.com',
      LOG_LEVEL: 'debug',
    });
  });

  it('when both set a variable, the process wins over the .env file', () => {
    writeFileSync(envFile, 'PORT=4000\nLOG_LEVEL=trace\n');

    expect(loadEnvironment(envFile, { PORT: '5000' })).toEqual({ PORT: '5000', LOG_LEVEL: 'trace' });
  });

  it('without a .env file, the process environment is used as it is', () => {
    expect(loadEnvironment(path.join(dir, 'missing.env'), { PORT: '5000' })).toEqual({ PORT: '5000' });
  });
});
