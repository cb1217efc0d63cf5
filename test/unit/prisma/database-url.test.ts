import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareSqliteUrl, providerOf, redactDatabaseUrl, sqliteFilePath } from '../../../prisma/database-url.ts';

describe('providerOf', () => {
  it.each([
    ['file:./data/provisioning.db', 'sqlite'],
    ['file:/var/lib/bot/provisioning.db', 'sqlite'],
    ['postgres://bot:pw@db:5432/provisioning', 'postgresql'],
    ['postgresql://bot@db/provisioning', 'postgresql'],
  ])('%s is stored in %s', (url, provider) => {
    expect(providerOf(url)).toBe(provider);
  });

  it.each(['mysql://root:hunter2@db/provisioning', 'sqlite:./data.db', './data/provisioning.db', ''])(
    'refuses "%s", saying which forms it takes, without the password',
    (url) => {
      expect(() => providerOf(url)).toThrow(/DATABASE_URL must start with "file:" .* or "postgres:\/\/"/);
      expect(() => providerOf(url)).not.toThrow(/hunter2/);
    },
  );
});

describe('sqliteFilePath', () => {
  it.each([
    ['file:./data/provisioning.db', path.resolve('data/provisioning.db')],
    ['file:data/provisioning.db', path.resolve('data/provisioning.db')],
    ['file:/var/lib/bot/provisioning.db', '/var/lib/bot/provisioning.db'],
    ['file:///var/lib/bot/provisioning.db', '/var/lib/bot/provisioning.db'],
    ['file:./data/provisioning.db?connection_limit=1', path.resolve('data/provisioning.db')],
  ])('%s is the file %s', (url, file) => {
    expect(sqliteFilePath(url)).toBe(file);
  });

  it.each(['file:', 'file://', 'file:?mode=memory'])('"%s" names no file and is refused with an example', (url) => {
    expect(() => sqliteFilePath(url)).toThrow('use e.g. file:./data/provisioning.db');
  });
});

describe('prepareSqliteUrl', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('gives an absolute file: URL and creates the folder (0700) and an empty database file (0600) for its owner only', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'provisioning-bot-url-'));
    const file = path.join(dir, 'nested', 'deeper', 'bot.db');

    expect(prepareSqliteUrl(`file:${file}`)).toBe(`file:${file}`);
    expect(existsSync(path.dirname(file))).toBe(true);
    expect(statSync(file).size).toBe(0);
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    expect((statSync(path.dirname(file)).mode & 0o777).toString(8)).toBe('700');
  });
});

describe('redactDatabaseUrl', () => {
  it.each([
    ['postgres://bot:hunter2@db:5432/provisioning', 'postgres://bot:***@db:5432/provisioning'],
    ['postgresql://bot:p%40ss%2Fword@db/provisioning', 'postgresql://bot:***@db/provisioning'],
    ['postgres://bot:@db/provisioning', 'postgres://bot:***@db/provisioning'],
    ['postgres://bot@db/provisioning', 'postgres://bot@db/provisioning'],
    ['postgres://db:5432/provisioning', 'postgres://db:5432/provisioning'],
    ['file:./data/provisioning.db', 'file:./data/provisioning.db'],
  ])('%s is shown as %s', (url, shown) => {
    expect(redactDatabaseUrl(url)).toBe(shown);
  });

  // BUG (reported, not fixed here): the pattern needs a user name and stops at the first "@".
  // Drop `.fails` once prisma/database-url.ts is fixed.
  it.each([
    ['postgres://:hunter2@db/provisioning', 'postgres://:***@db/provisioning'],
    ['postgres://bot:hunter2@x@db/provisioning', 'postgres://bot:***@db/provisioning'],
  ])('%s is shown as %s', (url, shown) => {
    expect(redactDatabaseUrl(url)).toBe(shown);
  });
});
