import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { logsArePretty } from '../../../bot/logger.ts';
import { parseConfig } from '../../../bot/config.ts';
import { projectRoot } from '../cards/card-checks.ts';

describe('log lines: readable on a terminal, JSON everywhere else', () => {
  it.each([
    ['auto', true, true],
    ['auto', false, false],
    ['json', true, false],
    ['json', false, false],
    ['pretty', false, true],
    ['pretty', true, true],
  ] as const)('LOG_FORMAT=%s with stdout a terminal: %s → pretty: %s', (format, tty, pretty) => {
    expect(logsArePretty(format, tty)).toBe(pretty);
  });

  it('LOG_FORMAT defaults to auto; a bad value stops start-up naming it', () => {
    expect(parseConfig({}).logFormat).toBe('auto');
    expect(parseConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(() => parseConfig({ LOG_FORMAT: 'colour' })).toThrow(/^Invalid configuration: LOG_FORMAT: expected auto, json or pretty \(got "colour"\)/);
  });

  // Child processes: stdout is a pipe there, as under a service manager (and in the tests' leak watch).
  const logOnce = (format: string) =>
    spawnSync(
      process.execPath,
      ['--import', 'tsx', '-e', `import('./bot/logger.ts').then((m) => m.createLogger('info', undefined, ${JSON.stringify(format)}).info({ code: '123456', mac: '00-04-F2-81-24-B3' }, 'device provisioned'))`],
      { cwd: projectRoot, encoding: 'utf8', timeout: 30_000 },
    ).stdout.trim();

  it('on a pipe, auto writes JSON lines (what log collectors and the leak watch parse)', () => {
    const line = JSON.parse(logOnce('auto')) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, service: 'provisioning-bot', msg: 'device provisioned', code: '[redacted]' });
  });

  it('pretty draws one readable line, redacted as the JSON is', () => {
    const line = logOnce('pretty');
    expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: device provisioned /);
    expect(line).toContain('"code":"[redacted]"');
    expect(line).not.toContain('123456');
    expect(line.split('\n')).toHaveLength(1);
  });
});
