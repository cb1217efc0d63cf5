// Which address the device API's limits count and the logs show.
import { describe, expect, it } from 'vitest';
import type { Request } from 'restify';
import { clientAddressOf } from '../../../bot/device-api/client-address.ts';

const request = (remoteAddress: string | undefined, forwardedFor?: string) =>
  ({ socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as Request;

describe('the client address', () => {
  it('is the socket\'s without TRUST_PROXY, whatever X-Forwarded-For claims', () => {
    expect(clientAddressOf(request('10.0.0.9', '203.0.113.5'), false)).toBe('10.0.0.9');
  });
  it('shows an IPv4 client on a dual-stack socket as IPv4', () => {
    expect(clientAddressOf(request('::ffff:127.0.0.1'), false)).toBe('127.0.0.1');
  });
  it('with TRUST_PROXY, is the rightmost X-Forwarded-For entry (the one our proxy appended)', () => {
    expect(clientAddressOf(request('10.0.0.1', '1.2.3.4, 203.0.113.5'), true)).toBe('203.0.113.5');
    expect(clientAddressOf(request('10.0.0.1', '2001:db8::1'), true)).toBe('2001:db8::1');
  });
  it('with TRUST_PROXY but no usable header, is the socket\'s', () => {
    expect(clientAddressOf(request('10.0.0.1'), true)).toBe('10.0.0.1');
    expect(clientAddressOf(request('10.0.0.1', 'not-an-address'), true)).toBe('10.0.0.1');
    expect(clientAddressOf(request(undefined), false)).toBe('unknown');
  });
});
