import { describe, expect, it } from 'vitest';
import { parseMac } from '../../../../services/devices/mac-address.ts';

describe('parseMac', () => {
  it.each([
    ['IEEE dashes, uppercase', '00-04-F2-81-24-B3'],
    ['IEEE dashes, lowercase', '00-04-f2-81-24-b3'],
    ['Unix colons, lowercase', '00:04:f2:81:24:b3'],
    ['Unix colons, uppercase', '00:04:F2:81:24:B3'],
    ['Cisco dotted', '0004.f281.24b3'],
    ['Cisco dotted, uppercase', '0004.F281.24B3'],
    ['bare hex', '0004F28124B3'],
    ['bare hex, mixed case', '0004f28124B3'],
    ['surrounding spaces', '  00-04-F2-81-24-B3  '],
    ['surrounding tab and newline', '\t00:04:f2:81:24:b3\n'],
    ['double quotes', '"00-04-F2-81-24-B3"'],
    ['single quotes', "'0004.f281.24b3'"],
    ['quotes with spaces inside and out', ' " 0004F28124B3 " '],
  ])('accepts %s (%j) as 00-04-F2-81-24-B3', (_form, raw) => {
    expect(parseMac(raw)).toEqual({ ok: true, mac: '00-04-F2-81-24-B3' });
  });

  it.each([
    ['locally administered unicast', '02:00:00:00:00:01', '02-00-00-00-00-01'],
    ['first octet FE (even)', 'fe-dc-ba-98-76-54', 'FE-DC-BA-98-76-54'],
  ])('accepts a %s address (%s → %s)', (_what, raw, mac) => {
    expect(parseMac(raw)).toEqual({ ok: true, mac });
  });

  it.each([
    ['empty input', '', 'empty'],
    ['only spaces', '   ', 'empty'],
    ['only a pair of quotes', '""', 'empty'],
    ['too few hex digits', '00-04-F2-81-24', '10 hex digits found, 12 expected'],
    ['one digit short, bare', '0004F28124B', '11 hex digits found, 12 expected'],
    ['too many hex digits', '0004F28124B3AA', '14 hex digits found, 12 expected'],
    ['a single hex digit', 'A', '1 hex digit found, 12 expected'],
    ['a letter beyond F', '00-04-G2-81-24-B3', "contains 'G', which is not a hex digit (0-9, A-F)"],
    ['a stray trailing comma', '00-04-F2-81-24-B3,', "contains ',', which is not a hex digit (0-9, A-F)"],
    ['a stray trailing semicolon', '00:04:f2:81:24:b3;', "contains ';', which is not a hex digit (0-9, A-F)"],
    ['spaces between octets', '00 04 F2 81 24 B3', 'contains a space, which is not a hex digit (0-9, A-F)'],
    ['a 0x prefix', '0x0004F28124B3', "contains 'x', which is not a hex digit (0-9, A-F)"],
    ['an unmatched quote', '"00-04-F2-81-24-B3', `contains '"', which is not a hex digit (0-9, A-F)`],
    ['dashes and colons mixed', '00-04:F2-81-24-B3', "mixes separators '-' and ':'; use one kind throughout"],
    ['dots and dashes mixed', '0004.F281-24B3', "mixes separators '-' and '.'; use one kind throughout"],
    ['dashes in groups of four', '0004-F281-24B3', 'separators in the wrong places; write it as 00-04-F2-81-24-B3, 00:04:F2:81:24:B3, 0004.F281.24B3 or 0004F28124B3'],
    ['dots in groups of two', '00.04.F2.81.24.B3', 'separators in the wrong places; write it as 00-04-F2-81-24-B3, 00:04:F2:81:24:B3, 0004.F281.24B3 or 0004F28124B3'],
    ['a doubled separator', '00--04F2-81-24-B3', 'separators in the wrong places; write it as 00-04-F2-81-24-B3, 00:04:F2:81:24:B3, 0004.F281.24B3 or 0004F28124B3'],
    ['the all-zero address', '00-00-00-00-00-00', 'all zeros, not a device address'],
    ['the all-zero address, bare', '000000000000', 'all zeros, not a device address'],
    ['the broadcast address', 'ff:ff:ff:ff:ff:ff', 'the broadcast address (FF-FF-FF-FF-FF-FF), not a device'],
    ['a multicast address (01-00-5E IPv4 multicast)', '01-00-5E-00-00-FB', 'a multicast address, not a device (its first octet 01 is odd)'],
    ['a multicast address (33-33 IPv6 multicast)', '3333.0000.0001', 'a multicast address, not a device (its first octet 33 is odd)'],
  ])('rejects %s (%j): %s', (_what, raw, reason) => {
    expect(parseMac(raw)).toEqual({ ok: false, reason });
  });

  it('names the first bad character when there are several', () => {
    expect(parseMac('00-04-XY-81-24-B3')).toEqual({ ok: false, reason: "contains 'X', which is not a hex digit (0-9, A-F)" });
  });
});
