import { describe, expect, it } from 'vitest';
import {
  quoteFirstLine,
  MAX_DEVICE_CSV_BYTES,
  MAX_DEVICE_CSV_ROWS,
  parseDeviceCsv,
} from '../../../../services/devices/csv-device-list.ts';
import { DomainError } from '../../../../services/shared/errors.ts';

const MAC_A = '00-04-F2-81-24-B3';
const MAC_B = '00-04-F2-81-24-B4';

/** The DomainError parseDeviceCsv throws for `input`, or a failure if it accepts the file. */
function errorFor(...args: Parameters<typeof parseDeviceCsv>): DomainError {
  try {
    parseDeviceCsv(...args);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('invalid_input');
    return error as DomainError;
  }
  throw new Error('parseDeviceCsv accepted the file');
}

/** `count` distinct unicast MACs, 02-00-00-00-00-00 upwards. */
function macs(count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    (0x020000000000 + i).toString(16).padStart(12, '0').toUpperCase().match(/../g)!.join('-'),
  );
}

describe('parseDeviceCsv — dialects', () => {
  it.each([
    ['comma, LF', `MAC address,Location,Model\n${MAC_A},Room 1,Rally Bar\n${MAC_B},Room 2,Tap IP\n`],
    ['comma, CRLF', `MAC address,Location,Model\r\n${MAC_A},Room 1,Rally Bar\r\n${MAC_B},Room 2,Tap IP\r\n`],
    ['semicolon (Excel, many locales), CRLF', `MAC address;Location;Model\r\n${MAC_A};Room 1;Rally Bar\r\n${MAC_B};Room 2;Tap IP\r\n`],
    ['UTF-8 BOM', `\uFEFFMAC address,Location,Model\r\n${MAC_A},Room 1,Rally Bar\r\n${MAC_B},Room 2,Tap IP`],
    ['UTF-8 BOM and semicolons', `\uFEFFMAC address;Location;Model\n${MAC_A};Room 1;Rally Bar\n${MAC_B};Room 2;Tap IP\n`],
    ['quoted fields', `"MAC address","Location","Model"\n"${MAC_A}","Room 1","Rally Bar"\n"${MAC_B}","Room 2","Tap IP"\n`],
    ['no trailing newline', `MAC address,Location,Model\n${MAC_A},Room 1,Rally Bar\n${MAC_B},Room 2,Tap IP`],
  ])('reads a file with %s', (_dialect, csv) => {
    expect(parseDeviceCsv(csv)).toEqual({
      rows: [
        { line: 2, mac: MAC_A, location: 'Room 1', model: 'Rally Bar' },
        { line: 3, mac: MAC_B, location: 'Room 2', model: 'Tap IP' },
      ],
      rejected: [],
      duplicates: [],
    });
  });

  it('reads a Buffer the same as a string, BOM included', () => {
    const csv = `\uFEFFMAC;Location\r\n${MAC_A};Salle Égée\r\n`;
    expect(parseDeviceCsv(Buffer.from(csv, 'utf8')).rows).toEqual([{ line: 2, mac: MAC_A, location: 'Salle Égée', model: null }]);
  });

  it.each([
    ['an embedded semicolon', `MAC;Location\n${MAC_A};"Building 1; Floor 2"\n`, 'Building 1; Floor 2'],
    ['an embedded comma', `MAC,Location\n${MAC_A},"Building 1, Floor 2"\n`, 'Building 1, Floor 2'],
    ['an embedded quote', `MAC,Location\n${MAC_A},"The ""Blue"" room"\n`, 'The "Blue" room'],
    ['an embedded newline', `MAC,Location\r\n${MAC_A},"Building 1\r\nFloor 2"\r\n`, 'Building 1\r\nFloor 2'],
    ['a stray quote in an unquoted field', `MAC,Location\n${MAC_A},Room 5" screen\n`, 'Room 5" screen'],
  ])('keeps a quoted location with %s', (_what, csv, location) => {
    expect(parseDeviceCsv(csv).rows).toEqual([{ line: 2, mac: MAC_A, location, model: null }]);
  });

  it('picks the delimiter from the header, so a comma inside a semicolon file stays in its cell', () => {
    expect(parseDeviceCsv(`MAC;Location\n${MAC_A};Paris, 3rd floor\n`).rows[0]?.location).toBe('Paris, 3rd floor');
  });

  it('skips blank lines (and rows of empty cells Excel leaves) but still counts them as lines', () => {
    const csv = `\nMAC;Location\n\n${MAC_A};Room 1\n;;\n   \n${MAC_B};Room 2\n\n\n`;
    expect(parseDeviceCsv(csv)).toEqual({
      rows: [
        { line: 4, mac: MAC_A, location: 'Room 1', model: null },
        { line: 7, mac: MAC_B, location: 'Room 2', model: null },
      ],
      rejected: [],
      duplicates: [],
    });
  });
});

describe('parseDeviceCsv — header', () => {
  it.each([
    'MAC address',
    'MAC ID',
    'MAC',
    'HardwareId',
    'mac address',
    'Mac Address',
    'MACADDRESS',
    'mac_address',
    'Mac-Address',
    '  MAC Address  ',
    'hardware_id',
    'Hardware ID',
    'mac id',
  ])('finds the MAC column named %j', (name) => {
    expect(parseDeviceCsv(`${name},Location\n${MAC_A},Room 1\n`).rows).toEqual([
      { line: 2, mac: MAC_A, location: 'Room 1', model: null },
    ]);
  });

  it('finds the columns in any order and ignores columns it does not know', () => {
    const csv = `Serial,MODEL,Notes,location,Mac Address\nSN1,Rally Bar,new,Room 1,${MAC_A}\n`;
    expect(parseDeviceCsv(csv).rows).toEqual([{ line: 2, mac: MAC_A, location: 'Room 1', model: 'Rally Bar' }]);
  });

  it('without a Location or Model column, both are null', () => {
    expect(parseDeviceCsv(`MAC\n${MAC_A}\n`).rows).toEqual([{ line: 2, mac: MAC_A, location: null, model: null }]);
  });

  it.each([
    ['no MAC column', 'Serial,Location\nSN1,Room 1\n', /No MAC column in the header \(line 1\)/],
    ['a header-less file', `${MAC_A},Room 1\n${MAC_B},Room 2\n`, /Line 1 looks like a device, not a header/],
    ['an empty file', '', /The file is empty/],
    ['a file of blank lines', '\r\n\r\n  \r\n', /The file is empty/],
  ])('rejects %s and lists the accepted MAC column names', (_what, csv, message) => {
    const error = errorFor(csv);
    expect(error.message).toMatch(message);
    expect(error.message).toContain('MAC address, MAC ID, MAC, HardwareId (Location, Model and Account columns are optional)');
  });

  it.each([
    ['LF', '\n'],
    ['CRLF, after a blank line', '\r\n\r\n'],
  ])('rejects a file with an unclosed quote (%s) and names the line where the quote opens', (_what, eol) => {
    const csv = ['MAC,Location', `${MAC_A},Room 1`, `${MAC_B},"Room 2`, '00-04-F2-81-24-B5,Room 3', ''].join(eol);
    const line = eol === '\n' ? 3 : 5;
    expect(errorFor(csv).message).toBe(
      `The file could not be read as CSV at line ${line}: a quoted field starting there is never closed. ` +
        'Add the closing quote ("), or re-save the file from Excel as CSV.',
    );
  });
});

describe('parseDeviceCsv — no device row', () => {
  const refusal = (text: string) => {
    try {
      parseDeviceCsv(text);
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('invalid_input');
      return (error as DomainError).message;
    }
    throw new Error('expected a refusal');
  };

  it.each(['MAC address,Location\n', 'MAC address;Location\r\n\r\n;\r\n', '\uFEFFMAC address,Location'])(
    'a header-only file %j is refused as "no device row found", quoting its first line',
    (text) => {
      const message = refusal(text);
      expect(message).toMatch(/^No device row found: there is a header line and no device under it, so nothing was imported\./);
      expect(message).toContain(`The first line received: "${text.replace('\uFEFF', '').split(/\r?\n/)[0]}".`);
    },
  );

  it('a paste whose line breaks were lost is refused, saying the breaks were lost and quoting the start of the line', () => {
    const pasted = `MAC address,Location ${Array.from({ length: 8 }, (_, i) => `00-04-F2-81-24-B${i},Lobby`).join(' ')}`;
    const message = refusal(pasted);
    expect(message).toMatch(/^No device row found: everything arrived as one line, so the line breaks were probably lost on the way\./);
    expect(message).toContain('The first line received: "MAC address,Location 00-04-F2-81-24-B0,Lobby 00-04-F2-81-24-B1,Lobby 00-04-F2-8…".');
    expect(message).toContain('each device on a line of its own');
  });

  it('quotes the first line safely: blanks collapsed, at most 80 characters, no straight quote or angle bracket to break it', () => {
    expect(quoteFirstLine('\n  "MAC"\t<address>  ,  Location\n00-04-F2-81-24-B3')).toBe(`"'MAC' ‹address› , Location"`);
    const long = quoteFirstLine(`MAC,${'x'.repeat(200)}`);
    expect([...long].length).toBe(82);
    expect(long.endsWith('…"')).toBe(true);
  });
});

describe('parseDeviceCsv — rows', () => {
  it('reports a MAC seen earlier in the file as a duplicate of its first line, whatever its spelling', () => {
    const csv = ['MAC,Location', `${MAC_A},Room 1`, `${MAC_B},Room 2`, '00:04:f2:81:24:b3,Room 3', `${MAC_A},Room 4`].join('\n');
    expect(parseDeviceCsv(csv)).toEqual({
      rows: [
        { line: 2, mac: MAC_A, location: 'Room 1', model: null },
        { line: 3, mac: MAC_B, location: 'Room 2', model: null },
      ],
      rejected: [],
      duplicates: [
        { line: 4, mac: MAC_A, firstLine: 2 },
        { line: 5, mac: MAC_A, firstLine: 2 },
      ],
    });
  });

  it('rejects invalid MACs with the reason and the line a spreadsheet shows, after blank lines and multi-line cells', () => {
    const csv = [
      'MAC;Location', // 1
      `${MAC_A};"Building A`, // 2: one spreadsheet row spread over three text lines
      'Floor 2',
      'Room 7"',
      '', // 3
      '00-04-F2-81-24;Room 8', // 4
      'FF-FF-FF-FF-FF-FF;"Lobby; main"', // 5
      ';Room 9', // 6: a location without a MAC
      `${MAC_B};Room 10`, // 7
      '01-00-5E-00-00-FB', // 8
    ].join('\r\n');
    expect(parseDeviceCsv(csv)).toEqual({
      rows: [
        { line: 2, mac: MAC_A, location: 'Building A\r\nFloor 2\r\nRoom 7', model: null },
        { line: 7, mac: MAC_B, location: 'Room 10', model: null },
      ],
      rejected: [
        { line: 4, value: '00-04-F2-81-24', reason: '10 hex digits found, 12 expected' },
        { line: 5, value: 'FF-FF-FF-FF-FF-FF', reason: 'the broadcast address (FF-FF-FF-FF-FF-FF), not a device' },
        { line: 6, value: '', reason: 'empty' },
        { line: 8, value: '01-00-5E-00-00-FB', reason: 'a multicast address, not a device (its first octet 01 is odd)' },
      ],
      duplicates: [],
    });
  });

  it('does not let a short or long row sink the import: a missing cell is null, an extra one ignored', () => {
    const csv = `MAC,Location,Model\n${MAC_A}\n${MAC_B},Room 2,Tap IP,extra,cells\n`;
    expect(parseDeviceCsv(csv).rows).toEqual([
      { line: 2, mac: MAC_A, location: null, model: null },
      { line: 3, mac: MAC_B, location: 'Room 2', model: 'Tap IP' },
    ]);
  });

  it('trims location and model, and an empty or blank one becomes null', () => {
    const csv = `MAC,Location,Model\n${MAC_A},  Room 1  ,  \n${MAC_B},,Rally Bar\n`;
    expect(parseDeviceCsv(csv).rows).toEqual([
      { line: 2, mac: MAC_A, location: 'Room 1', model: null },
      { line: 3, mac: MAC_B, location: null, model: 'Rally Bar' },
    ]);
  });

  it.each([
    ['a 100-character location is accepted', 'x'.repeat(100), 'Bar', null],
    ['a 100-character location of accented letters is accepted', 'é'.repeat(100), 'Bar', null],
    ['a 101-character location is rejected', 'x'.repeat(101), 'Bar', 'location longer than 100 characters'],
    ['a 100-character model is accepted', 'Room', 'm'.repeat(100), null],
    ['a 101-character model is rejected', 'Room', 'm'.repeat(101), 'model longer than 100 characters'],
  ])('%s', (_behaviour, location, model, reason) => {
    const result = parseDeviceCsv(`MAC,Location,Model\n${MAC_A},${location},${model}\n`);
    if (reason === null) {
      expect(result).toEqual({ rows: [{ line: 2, mac: MAC_A, location, model }], rejected: [], duplicates: [] });
    } else {
      expect(result).toEqual({ rows: [], rejected: [{ line: 2, value: MAC_A, reason }], duplicates: [] });
    }
  });

  it('a MAC whose first row was rejected is not a duplicate on a later, valid row', () => {
    const csv = `MAC,Location\n${MAC_A},${'x'.repeat(101)}\n${MAC_A},Room 1\n`;
    const result = parseDeviceCsv(csv);
    expect(result.rows).toEqual([{ line: 3, mac: MAC_A, location: 'Room 1', model: null }]);
    expect(result.duplicates).toEqual([]);
  });
});

describe('parseDeviceCsv — limits', () => {
  it('exports the limits: 5 MB and 50,000 rows', () => {
    expect([MAX_DEVICE_CSV_BYTES, MAX_DEVICE_CSV_ROWS]).toEqual([5 * 1024 * 1024, 50_000]);
  });

  it('accepts exactly 50,000 device rows', () => {
    const csv = ['MAC', ...macs(50_000)].join('\r\n');
    const result = parseDeviceCsv(csv);
    expect(result.rows).toHaveLength(50_000);
    expect(result.rows.at(-1)).toEqual({ line: 50_001, mac: '02-00-00-00-C3-4F', location: null, model: null });
  });

  it('refuses 50,001 device rows, giving the count and the limit and asking to split the file', () => {
    const csv = ['MAC', ...macs(50_001)].join('\n');
    expect(errorFor(csv).message).toBe(
      'The file has 50,001 device rows; the limit is 50,000. Split the file into files of at most 50,000 rows and upload each one.',
    );
  });

  it('does not count blank lines towards the row limit', () => {
    const csv = ['MAC', ...macs(3)].join('\n\n');
    expect(parseDeviceCsv(csv, { maxBytes: MAX_DEVICE_CSV_BYTES, maxRows: 3 }).rows).toHaveLength(3);
  });

  it.each([
    ['a string', (csv: string) => csv],
    ['a Buffer', (csv: string) => Buffer.from(csv, 'utf8')],
  ])('refuses %s over 5 MB, giving the size and the limit', (_kind, wrap) => {
    const csv = `MAC,Location\n${MAC_A},${'x'.repeat(MAX_DEVICE_CSV_BYTES)}\n`;
    expect(errorFor(wrap(csv)).message).toMatch(
      /^The file is 5 MB \(5,242,912 bytes\); the limit is 5 MB\. Split the device list into smaller files/,
    );
  });

  it('measures the size in bytes, not characters', () => {
    const csv = `MAC,Location\n${MAC_A},${'é'.repeat(60)}\n`; // 60 characters, 120 bytes
    expect(() => parseDeviceCsv(csv, { maxBytes: 100, maxRows: 10 })).toThrow(/the limit is 0 MB/);
  });
});
