// Each request's logger: its lines, and its children's, carry the request id and client address
// in the place and order pino's bindings put them; secrets stay redacted; other loggers' lines
// do not get them; a logger made outside createLogger binds them as before.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger, loggerForRequest } from '../../../bot/logger.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, destination };
}

describe('request loggers', () => {
  it('lines of the request and of its children carry its fields, as bindings would, with secrets redacted', () => {
    const { lines, destination } = capture();
    const root = createLogger('info', destination);
    const fields = { requestId: 'req-1', client: '10.0.0.7' };
    const request = loggerForRequest(root, fields);
    request.info({ status: 200, token: 'dvt_secret', body: { password: 'hunter2' } }, 'request');
    request.child({ component: 'auth' }).warn('refused');
    loggerForRequest(root, { requestId: 'req-2', client: '10.0.0.8' }).error(new Error('boom'));
    root.info('listening');
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed[0]).toMatchObject({ requestId: 'req-1', client: '10.0.0.7', status: 200, token: '[redacted]', body: { password: '[redacted]' }, msg: 'request' });
    // Where bindings were: right after the base fields, before the line's own.
    expect(Object.keys(parsed[0]!)).toEqual(['level', 'time', 'service', 'requestId', 'client', 'status', 'token', 'body', 'msg']);
    expect(parsed[1]).toMatchObject({ requestId: 'req-1', client: '10.0.0.7', component: 'auth', msg: 'refused' });
    expect(parsed[2]).toMatchObject({ requestId: 'req-2', client: '10.0.0.8', msg: 'boom', err: { message: 'boom' } });
    expect(parsed[3]).not.toHaveProperty('requestId');
    expect(parsed[3]).not.toHaveProperty('client');
    // The fields object is the request's: lines do not write into it.
    expect(fields).toEqual({ requestId: 'req-1', client: '10.0.0.7' });
  });

  it('logs nothing and makes nothing of the fields when the level is off', () => {
    const { lines, destination } = capture();
    const request = loggerForRequest(createLogger('warn', destination), { requestId: 'req-3', client: '::1' });
    request.info('request');
    expect(lines).toEqual([]);
    request.warn('slow');
    expect(JSON.parse(lines[0]!)).toMatchObject({ requestId: 'req-3', client: '::1', msg: 'slow' });
  });

  it('binds the fields on a logger made elsewhere', () => {
    const { lines, destination } = capture();
    loggerForRequest(pino({ level: 'info' }, destination), { requestId: 'req-4', client: '::1' }).info('request');
    expect(JSON.parse(lines[0]!)).toMatchObject({ requestId: 'req-4', client: '::1', msg: 'request' });
  });
});
