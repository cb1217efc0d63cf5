// .env.example is the configuration's documentation: it must list exactly the keys the bot reads.
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { configKeys, parseConfig } from '../../../bot/config.ts';

const example = readFileSync('.env.example', 'utf8');

describe('.env.example', () => {
  it('documents every configuration key and no other', () => {
    expect(Object.keys(parseEnv(example)).sort()).toEqual([...configKeys].sort());
  });

  it('is itself a valid configuration (copying it to .env starts the bot on its defaults)', () => {
    const config = parseConfig(parseEnv(example));
    expect(config.port).toBe(3978);
    expect(config.databaseProvider).toBe('sqlite');
    expect(config.authenticationDisabled).toBe(true);
  });

  it('explains each key in a comment right above it', () => {
    const lines = example.split('\n');
    for (const key of configKeys) {
      const index = lines.findIndex((line) => line.startsWith(`${key}=`));
      expect(lines[index - 1], `comment above ${key}`).toMatch(/^#/);
    }
  });
});
