import { describe, expect, it } from 'vitest';
import { buildCodeSheet, escapeCsvCell, type CodeSheetEntry } from '../../../../services/devices/code-sheet.ts';
import { DomainError } from '../../../../services/shared/errors.ts';

const BOM = '\uFEFF';

function entry(overrides: Partial<CodeSheetEntry> = {}): CodeSheetEntry {
  return { mac: '00-04-F2-81-24-B3', location: 'Room 1', code: '123456', expiresAt: new Date('2025-06-01T08:00:00Z'), ...overrides };
}

/** The data lines of a sheet, without BOM, header and the final empty string after the last CRLF. */
function dataLines(sheet: string): string[] {
  return sheet.slice(BOM.length).split('\r\n').slice(1, -1);
}

describe('buildCodeSheet', () => {
  it('starts with a UTF-8 BOM, then the header, and ends every line with CRLF', () => {
    const sheet = buildCodeSheet([entry({ location: 'Salle Égée' })], 'Europe/Paris');
    expect(sheet).toBe(
      `${BOM}"MAC","Location","Code","Expires (UTC, ISO 8601)","Expires (Europe/Paris local)"\r\n` +
        '"00-04-F2-81-24-B3","Salle Égée","123456","2025-06-01T08:00:00Z","2025-06-01 10:00"\r\n',
    );
  });

  it('names the zone in the last header and quotes the UTC header, which holds a comma', () => {
    const [header] = buildCodeSheet([], 'America/New_York').slice(BOM.length).split('\r\n');
    expect(header).toBe('"MAC","Location","Code","Expires (UTC, ISO 8601)","Expires (America/New_York local)"');
  });

  it('with no entries, is the header alone', () => {
    expect(buildCodeSheet([], 'UTC')).toBe(`${BOM}"MAC","Location","Code","Expires (UTC, ISO 8601)","Expires (UTC local)"\r\n`);
  });

  it('sorts by location (numbers in order, case ignored), then MAC, and puts devices without a location last', () => {
    const entries = [
      entry({ mac: '00-00-00-00-00-0B', location: null }),
      entry({ mac: '00-00-00-00-00-02', location: 'Room 10' }),
      entry({ mac: '00-00-00-00-00-0A', location: null }),
      entry({ mac: '00-00-00-00-00-03', location: 'room 2' }),
      entry({ mac: '00-00-00-00-00-01', location: 'Room 2' }),
      entry({ mac: '00-00-00-00-00-04', location: 'Lobby' }),
    ];
    const order = dataLines(buildCodeSheet(entries, 'UTC')).map((line) => line.split(',').slice(0, 2).join(' ').replaceAll('"', ''));
    expect(order).toEqual([
      '00-00-00-00-00-04 Lobby',
      '00-00-00-00-00-01 Room 2',
      '00-00-00-00-00-03 room 2',
      '00-00-00-00-00-02 Room 10',
      '00-00-00-00-00-0A ',
      '00-00-00-00-00-0B ',
    ]);
  });

  it('does not reorder the caller’s array', () => {
    const entries = [entry({ location: 'B' }), entry({ location: 'A' })];
    buildCodeSheet(entries, 'UTC');
    expect(entries.map((e) => e.location)).toEqual(['B', 'A']);
  });

  it.each([
    ['=HYPERLINK("http://evil.example","Click")', `"'=HYPERLINK(""http://evil.example"",""Click"")"`],
    ['+1', `"'+1"`],
    ['-2', `"'-2"`],
    ['@SUM(A1:A2)', `"'@SUM(A1:A2)"`],
    // Issue 12, item 7: Excel with ";" as its list separator split this into a live formula.
    ["Lobby;=cmd|' /C calc'!A0", `"Lobby;'=cmd|' /C calc'!A0"`],
    ['Lobby,+1', `"Lobby,'+1"`],
    ['Lobby\t-2', `"Lobby\t'-2"`],
    ['Lobby; @SUM(A1)', `"Lobby;' @SUM(A1)"`],
    ['Lobby|=1', `"Lobby|'=1"`],
    ['\t=1', `"'\t=1"`],
    ['a-b=c', `"a-b=c"`],
  ])('neutralises a formula in a location: %s → %s', (location, cell) => {
    expect(dataLines(buildCodeSheet([entry({ location })], 'UTC'))[0]).toBe(
      `"00-04-F2-81-24-B3",${cell},"123456","2025-06-01T08:00:00Z","2025-06-01 08:00"`,
    );
  });

  it('keeps a location with line breaks and a code fence on its own line, quoted, so it cannot leave its cell or a code block', () => {
    const sheet = buildCodeSheet([entry({ location: 'Lobby\n```\n**[Click](https://evil.example)**\r\n=1' })], 'UTC');
    const lines = dataLines(sheet);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe('"00-04-F2-81-24-B3","Lobby ``` **[Click](https://evil.example)** =1","123456","2025-06-01T08:00:00Z","2025-06-01 08:00"');
    expect(sheet.slice(BOM.length).split('\r\n').every((line) => line === '' || line.startsWith('"'))).toBe(true);
  });

  it.each(['', 'plain', '=1', 'a,b', 'say "hi"', '\u2028x'])('always quotes the cell: %j', (value) => {
    const cell = escapeCsvCell(value);
    expect(cell.startsWith('"') && cell.endsWith('"')).toBe(true);
    expect(cell).not.toMatch(/[\r\n\u2028\u2029]/);
  });

  it.each([
    ['Europe/Paris', 'winter (CET, UTC+1)', '2025-01-15T12:00:00Z', '2025-01-15 13:00'],
    ['Europe/Paris', 'midnight, as 00 not 24', '2025-01-01T23:00:00Z', '2025-01-02 00:00'],
    ['Europe/Paris', 'the last minute before clocks go forward', '2025-03-30T00:59:00Z', '2025-03-30 01:59'],
    ['Europe/Paris', 'the first minute after clocks go forward', '2025-03-30T01:00:00Z', '2025-03-30 03:00'],
    ['Europe/Paris', 'the first 02:30 when clocks go back (CEST)', '2025-10-26T00:30:00Z', '2025-10-26 02:30'],
    ['Europe/Paris', 'the second 02:30 when clocks go back (CET)', '2025-10-26T01:30:00Z', '2025-10-26 02:30'],
    ['America/New_York', 'the evening before, across the date line', '2025-03-09T03:00:00Z', '2025-03-08 22:00'],
    ['America/New_York', 'the last minute before clocks go forward', '2025-03-09T06:59:00Z', '2025-03-09 01:59'],
    ['America/New_York', 'the first minute after clocks go forward', '2025-03-09T07:00:00Z', '2025-03-09 03:00'],
    ['America/New_York', 'the first 01:30 when clocks go back (EDT)', '2025-11-02T05:30:00Z', '2025-11-02 01:30'],
    ['America/New_York', 'the second 01:30 when clocks go back (EST)', '2025-11-02T06:30:00Z', '2025-11-02 01:30'],
    ['UTC', 'UTC itself', '2025-07-04T16:45:59.999Z', '2025-07-04 16:45'],
  ])('in %s, %s: %s is %s local', (timeZone, _moment, iso, local) => {
    const [line] = dataLines(buildCodeSheet([entry({ expiresAt: new Date(iso) })], timeZone));
    expect(line?.replaceAll('"', '').split(',').slice(3)).toEqual([iso.replace(/\.\d{3}Z$/, 'Z'), local]);
  });

  it('writes the UTC expiry as ISO 8601 to the second', () => {
    const [line] = dataLines(buildCodeSheet([entry({ expiresAt: new Date('2025-06-01T08:00:00.123Z') })], 'UTC'));
    expect(line?.split(',')[3]).toBe('"2025-06-01T08:00:00Z"');
  });

  it.each(['Mars/Olympus', 'Paris', '', '+01:00'])('rejects %j as a time zone, asking for an IANA name', (timeZone) => {
    expect(() => buildCodeSheet([entry()], timeZone)).toThrow(DomainError);
    expect(() => buildCodeSheet([entry()], timeZone)).toThrow(
      `"${timeZone}" is not a time zone. Use an IANA time zone name such as Europe/Paris or America/New_York.`,
    );
  });
});

describe('escapeCsvCell', () => {
  it.each([
    ['plain text', 'Room 1', '"Room 1"'],
    ['empty', '', '""'],
    ['a MAC', '00-04-F2-81-24-B3', '"00-04-F2-81-24-B3"'],
    ['a code with leading zeros', '012345', '"012345"'],
    ['a comma', 'Paris, 3rd floor', '"Paris, 3rd floor"'],
    ['a quote', 'The "Blue" room', '"The ""Blue"" room"'],
    ['a line feed: kept on one line', 'Floor 2\nRoom 7', '"Floor 2 Room 7"'],
    ['a CRLF: kept on one line', 'Floor 2\r\nRoom 7', '"Floor 2 Room 7"'],
    ['a semicolon', 'A; B', '"A; B"'],
    ['a leading =', '=1+1', `"'=1+1"`],
    ['a leading +', '+33 1 23 45 67 89', `"'+33 1 23 45 67 89"`],
    ['a leading -', '-2', `"'-2"`],
    ['a leading @', '@SUM(A1)', `"'@SUM(A1)"`],
    ['a leading tab', '\t=1', `"'\t=1"`],
    ['a leading CR', '\r=1', `"' =1"`],
    ['a leading space before =', ' =1', `"' =1"`],
    ['a formula after ;', "Lobby;=cmd|' /C calc'!A0", `"Lobby;'=cmd|' /C calc'!A0"`],
    ['a formula that also needs quotes', '=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['= not at the start', 'Room =1', '"Room =1"'],
  ])('%s: %j → %j', (_what, value, cell) => {
    expect(escapeCsvCell(value)).toBe(cell);
  });
});
