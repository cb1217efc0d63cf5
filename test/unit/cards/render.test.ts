import { describe, expect, it } from 'vitest';
import { type AdaptiveCard, cardNames, renderCard } from '../../../cards/render.ts';
import { verbs } from '../../../bot/actions/verbs.ts';
import type { CardName, CardViews } from '../../../cards/template-data.ts';
import { actionsOf, cardProblems, factsOf, nodesOf, ofType, parserComplaints, schemaErrors, stringsOf, textsOf } from './card-checks.ts';
import * as s from './sample-views.ts';

const render = <K extends CardName>(sample: s.Sample<K>): AdaptiveCard => renderCard(sample.name, sample.view);

describe.each(s.allSamples.map((sample) => [`${sample.name} (${sample.label})`, sample] as const))('the %s card', (_, sample) => {
  const card = renderCard(sample.name, sample.view as never);

  it('is a valid Adaptive Card 1.5 by the published schema', () => {
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json' });
    expect(schemaErrors(card)).toEqual([]);
  });

  it('parses in the adaptivecards library without errors or warnings', () => {
    expect(parserComplaints(card)).toEqual([]);
  });

  it('has no template syntax left in it', () => {
    expect(stringsOf(card).filter((text) => text.includes('${'))).toEqual([]);
    expect(nodesOf(card).filter((n) => '$when' in n || '$data' in n)).toEqual([]);
  });

  it('has a plain-text fallback', () => {
    expect(card.fallbackText.trim()).toMatch(/\S+\s+\S+/); // at least two words; what they must say is checked below
    expect(card.fallbackText).not.toMatch(/undefined|null|\[object|NaN/);
  });

  it('only has Action.Execute buttons with known verbs, or links', () => {
    const known: string[] = Object.values(verbs);
    for (const action of actionsOf(card)) {
      expect(['Action.Execute', 'Action.OpenUrl']).toContain(action.type);
      if (action.type === 'Action.Execute') expect(known).toContain(action.verb);
    }
  });

  it('stays readable on a phone: wrapped text, at most 4 columns', () => {
    for (const block of ofType(card, 'TextBlock')) expect(block, String(block.text)).toHaveProperty('wrap', true);
    for (const set of ofType(card, 'ColumnSet')) expect((set.columns as unknown[]).length).toBeLessThanOrEqual(4);
  });
});

describe('fallback texts say what the card says', () => {
  const cases: [s.Sample, string[]][] = [
    [s.help, ['Commands: help, import CSV-FILE, codes LOCATION, status MAC']],
    [s.helpEmpty, ['No commands']],
    [s.commandError, ["I don't know that MAC address", '11 hex digits', 'Try: status AA-BB-CC-DD-EE-FF', 'Usage: status MAC']],
    [s.commandErrorBare, ['Not allowed: Only admins can import devices.']],
    [s.importResult, ['Imported devices.csv', '42 added', '7 already registered', '3 updated', '23 rejected', '2 duplicates']],
    [s.codeHandoff, ['Codes for 12 devices, 7 online, valid until Tue 24 Nov 2026, 09:00 UTC', 'Megan Bowen']],
    [s.codeHandoffDone, ['Codes for 1 device, 1 online']],
    [s.awaitingSignIn, ['AA-BB-CC-DD-EE-01', 'Building 4 — Lobby', 'waiting for sign-in']],
    [s.signInRequested, ['AA-BB-CC-DD-EE-01', 'waiting for the device']],
    [s.signInCodeReady, ['Login code ready', 'https://microsoft.com/devicelogin', 'before Mon 23 Nov 2026, 09:30 UTC']],
    [s.signInLapsed, ['expired']],
    [s.signInSignedIn, ['signed in as lobby-phone@contoso.com at Mon 23 Nov 2026, 09:21 UTC']],
    [s.deviceStatus, ['AA-BB-CC-DD-EE-01', 'Signed in since Mon 23 Nov 2026, 09:21 UTC']],
    [s.deviceList, ['Devices in Building 4', 'Registered: 40', 'Signed in: 5', '50 more']],
    [s.deviceListEmpty, ['no devices']],
    [s.confirm, ['Reset AA-BB-CC-DD-EE-01?', 'goes back to Registered', 'Mon 23 Nov 2026, 09:35 UTC']],
    [s.noticeCancelled, ['Cancelled — Nothing was changed.']],
    [s.noticeDone, ['AA-BB-CC-DD-EE-01 marked installed']],
  ];
  it.each(cases.map(([sample, phrases]) => [`${sample.name} (${sample.label})`, sample, phrases] as const))('%s', (_, sample, phrases) => {
    const { fallbackText } = render(sample);
    for (const phrase of phrases) expect(fallbackText).toContain(phrase);
  });

  it('never carries a secret code, since notifications and previews show it', () => {
    expect(render(s.codeHandoff).fallbackText).not.toMatch(/482913|105577/);
    expect(render(s.signInCodeReady).fallbackText).not.toContain('HKQ7-MX2P');
  });
});

describe('help', () => {
  it('lists every command with its usage, summary, aliases and who may use it', () => {
    const texts = textsOf(render(s.help));
    expect(texts).toContain('import CSV-FILE');
    expect(texts).toContain('Register the devices listed in a CSV file.');
    expect(texts).toContain('Also: ?, commands · Who may use it: anyone');
    expect(texts).toContain('Who may use it: admins');
    expect(ofType(render(s.help), 'Container')).toHaveLength(4);
  });

  it('says so when there is nothing to list', () => {
    expect(textsOf(render(s.helpEmpty))).toContain('No commands are available to you.');
  });
});

describe('commandError', () => {
  it('shows the problem in an attention box and what to type instead', () => {
    const card = render(s.commandError);
    const [box] = ofType(card, 'Container');
    expect(box).toMatchObject({ style: 'attention' });
    expect(textsOf(box)).toEqual([s.commandError.view.title, s.commandError.view.problem]);
    const texts = textsOf(card);
    expect(texts).toContain('status AA-BB-CC-DD-EE-FF');
    expect(texts).toContain('status MAC');
  });

  it('leaves out the suggestion and usage when there are none', () => {
    expect(textsOf(render(s.commandErrorBare))).toEqual([s.commandErrorBare.view.title, s.commandErrorBare.view.problem]);
  });
});

describe('importResult', () => {
  it('counts as facts, then the rejected rows, then how many more', () => {
    const card = render(s.importResult);
    expect(factsOf(card)).toEqual([
      ['Added', '42'],
      ['Already registered', '7'],
      ['Updated', '3'],
      ['Rejected', '23'],
      ['Duplicates', '2'],
    ]);
    const texts = textsOf(card);
    expect(texts).toEqual(
      expect.arrayContaining(['Rejected rows', 'Line 4', 'AA-BB-CC-DD-EE', 'Line 9', '(empty)', 'Too many columns (3, expected 2).']),
    );
    expect(texts).toContain('…and 20 more rejected rows not listed here.');
  });

  it('shows a raw CSV value as typed, not as markdown', () => {
    const runs = ofType(render(s.importResult), 'TextRun');
    expect(runs.map((r) => r.text)).toContain('00-1A-2B-3C-4D-5E;Lobby;*bold*');
  });

  it('has no rejected section when nothing was rejected', () => {
    const texts = textsOf(render(s.importResultClean));
    expect(texts).not.toContain('Rejected rows');
    expect(texts.some((t) => t.includes('more'))).toBe(false);
  });
});

describe('codeHandoff', () => {
  const card = render(s.codeHandoff);

  it('heads with how many are online, who issued the codes and until when they are valid', () => {
    expect(textsOf(card)[0]).toBe('Device codes — 7 of 12 online');
    expect(factsOf(card)).toEqual([['Issued by', 'Megan Bowen']]);
    // A TextBlock, not a fact: there the Teams renderer can show the time in the reader's zone.
    expect(textsOf(card)[1]).toBe('Valid until Tue 24 Nov 2026, 09:00 UTC');
  });

  it('groups devices by location, one row each: MAC, big monospace code, coloured status, note', () => {
    const texts = textsOf(card);
    expect(texts).toContain('Building 4 — Lobby');
    expect(texts).toContain('Building 4 — Room 4.12');
    const row = ofType(card, 'ColumnSet').find((set) => textsOf(set).includes('AA-BB-CC-DD-EE-02'))!;
    expect(row.columns as unknown[]).toHaveLength(3);
    expect(textsOf(row)).toEqual(['AA-BB-CC-DD-EE-02', 'Last seen 2 days ago', '105577', 'Offline']);
    const blocks = ofType(row, 'TextBlock');
    expect(blocks.find((b) => b.text === '105577')).toMatchObject({ fontType: 'monospace', size: 'large', weight: 'bolder' });
    expect(blocks.find((b) => b.text === 'Offline')).toMatchObject({ color: 'attention' });
    const rowWithoutNote = ofType(card, 'ColumnSet').find((set) => textsOf(set).includes('AA-BB-CC-DD-EE-01'))!;
    expect(textsOf(rowWithoutNote)).toEqual(['AA-BB-CC-DD-EE-01', '482913', 'Online']);
  });

  it('lets a technician pick a device, add a note and mark it installed or report a problem', () => {
    const [choice] = ofType(card, 'Input.ChoiceSet');
    expect(choice).toMatchObject({ id: 'mac' });
    expect(choice!.choices).toEqual(s.codeHandoff.view.markable.map((m) => ({ title: m.label, value: m.mac })));
    // The device is required (the client asks for it before sending); the note is optional for both buttons.
    expect(choice).toMatchObject({ isRequired: true, errorMessage: expect.any(String) });
    expect(ofType(card, 'Input.Text')).toEqual([expect.objectContaining({ id: 'note', label: 'Note (optional)', placeholder: 'What happened?' })]);
    expect(ofType(card, 'Input.Text')[0]).not.toHaveProperty('isRequired', true);
    expect(actionsOf(card).map(({ type, title, verb, data }) => ({ type, title, verb, data }))).toEqual([
      { type: 'Action.Execute', title: 'Mark installed', verb: verbs.markInstalled, data: { batchId: 'batch_01JD3Q4W5E6R7T8Y9U0I', page: 'batch_01JD3Q4W5E6R7T8Y9U0I' } },
      { type: 'Action.Execute', title: 'Report a problem', verb: verbs.reportProblem, data: { batchId: 'batch_01JD3Q4W5E6R7T8Y9U0I', page: 'batch_01JD3Q4W5E6R7T8Y9U0I' } },
    ]);
  });

  it('says what the reply that posted it had to say, inside the card (a tracked card is sent alone)', () => {
    expect(textsOf(card)).toEqual(expect.arrayContaining(s.codeHandoff.view.lines));
    expect(textsOf(render(s.codeHandoffDone))).not.toContain('');
  });

  it('has no inputs or buttons when nothing is left to mark', () => {
    const done = render(s.codeHandoffDone);
    expect(actionsOf(done)).toEqual([]);
    expect(nodesOf(done).filter((n) => String(n.type).startsWith('Input.'))).toEqual([]);
  });

  it('says so when the batch has no devices', () => {
    expect(textsOf(render(s.codeHandoffEmpty))).toContain('No devices in this batch.');
  });
});

describe('awaitingSignIn', () => {
  it('shows the device, asks for an account and offers sign-in and status', () => {
    const card = render(s.awaitingSignIn);
    expect(textsOf(card)[0]).toBe('Device provisioned, waiting for sign-in');
    // The bot's own record first, then what the device claims, under a heading that says so.
    expect(factsOf(card)).toEqual([
      ['MAC', 'AA-BB-CC-DD-EE-01'],
      ['Location', 'Building 4 — Lobby'],
      ['Code issued by', 'Megan Bowen, Mon 23 Nov 2026, 08:02 UTC'],
      ['Provisioned at', 'Mon 23 Nov 2026, 09:12 UTC'],
      ['Provisioned from', '10.20.30.40'],
      ['History', 'provisioned once'],
      ['Model', 'Poly CCX 505'],
      ['Firmware', '8.1.3.1300'],
    ]);
    expect(textsOf(card)).toEqual(expect.arrayContaining(['What the bot recorded', 'Reported by the device (not checked)', 'Mon 23 Nov 2026, 09:12 UTC: The device took its code: a technician activated it']));
    expect(ofType(card, 'Input.Text')).toEqual([
      expect.objectContaining({
        id: 'account',
        value: 'lobby-phone@contoso.com',
        placeholder: 'shared account, e.g. lobby-phone@contoso.com',
        isRequired: false,
      }),
    ]);
    expect(actionsOf(card).map(({ title, verb, data }) => ({ title, verb, data }))).toEqual([
      { title: 'Sign in', verb: verbs.signIn, data: { mac: 'AA-BB-CC-DD-EE-01' } },
      { title: 'Status', verb: verbs.showStatus, data: { mac: 'AA-BB-CC-DD-EE-01' } },
    ]);
  });

  it('leaves out model and firmware until the device reports them, with an empty account', () => {
    const card = render(s.awaitingSignInBare);
    expect(factsOf(card).map(([title]) => title)).toEqual(['MAC', 'Location', 'Code issued by', 'Provisioned at', 'Provisioned from', 'History']);
    expect(textsOf(card)).not.toContain('Reported by the device (not checked)');
    expect(ofType(card, 'Input.Text')[0]).toMatchObject({ id: 'account', value: '' });
  });
});

describe('signInProgress', () => {
  const statusButton = { type: 'Action.Execute', verb: verbs.showStatus, data: { mac: 'AA-BB-CC-DD-EE-01' } };
  const buttons = (card: AdaptiveCard) => actionsOf(card).map(({ type, verb, url, data }) => ({ type, verb, url, data }));

  it('requested: waits for the login code', () => {
    const card = render(s.signInRequested);
    expect(textsOf(card)).toEqual(['Sign-in: AA-BB-CC-DD-EE-01', 'Building 4 — Lobby', 'Waiting for the device to show its login code…']);
    expect(buttons(card)).toEqual([expect.objectContaining(statusButton)]);
  });

  it('code_ready: the code big and monospace, where to enter it, with which account, until when', () => {
    const card = render(s.signInCodeReady);
    const code = ofType(card, 'TextBlock').find((b) => b.text === 'HKQ7-MX2P');
    expect(code).toMatchObject({ fontType: 'monospace', size: 'extraLarge', weight: 'bolder' });
    expect(textsOf(card)).toEqual(
      expect.arrayContaining([
        'Go to https://microsoft.com/devicelogin and enter the code.',
        'Sign in with the account lobby-phone@contoso.com.',
        'The code is valid until Mon 23 Nov 2026, 09:30 UTC.',
      ]),
    );
    expect(buttons(card)).toEqual([
      { type: 'Action.OpenUrl', verb: undefined, url: 'https://microsoft.com/devicelogin', data: undefined },
      expect.objectContaining(statusButton),
    ]);
  });

  it("code_ready: beside the device's code, the bot's record of the device and any warning about reported text", () => {
    const card = render(s.signInCodeReady);
    expect(factsOf(card)).toEqual(expect.arrayContaining([['Provisioned from', '10.20.30.40'], ['Code issued by', 'Megan Bowen, Mon 23 Nov 2026, 08:02 UTC'], ['History', 'provisioned twice, factory reset once']]));
    expect(textsOf(card)).toEqual(expect.arrayContaining(['Login code, as reported by the device', 'Login code looks suspicious: it mixes scripts (Latin and Cyrillic), as look-alike names do.']));
    expect(ofType(card, 'Container').find((box) => box.style === 'attention')).toBeDefined();
  });

  it('code_ready without an account leaves the account line out', () => {
    expect(textsOf(render(s.signInCodeReadyNoAccount)).some((t) => t.includes('account'))).toBe(false);
  });

  it('lapsed: says the code expired and offers a fresh one', () => {
    const card = render(s.signInLapsed);
    expect(textsOf(card)).toContain('The login code expired');
    expect(textsOf(card).some((t) => t.includes('HKQ7'))).toBe(false);
    expect(buttons(card)).toEqual([
      { type: 'Action.Execute', verb: verbs.refreshSignIn, url: undefined, data: { mac: 'AA-BB-CC-DD-EE-01' } },
      expect.objectContaining(statusButton),
    ]);
  });

  it('signed_in: who signed in and when, in an emphasis box with default text (readable in every theme)', () => {
    const card = render(s.signInSignedIn);
    const [box] = ofType(card, 'Container');
    expect(box).toMatchObject({ style: 'emphasis' });
    expect(ofType(box, 'TextBlock').map((block) => block.color)).toEqual([undefined]);
    expect(textsOf(box)).toEqual(['Signed in as lobby-phone@contoso.com (reported by the device) at Mon 23 Nov 2026, 09:21 UTC']);
    expect(buttons(card)).toEqual([expect.objectContaining(statusButton)]);
  });

  it('shows exactly one variant', () => {
    for (const sample of [s.signInRequested, s.signInCodeReady, s.signInLapsed, s.signInSignedIn]) {
      const texts = textsOf(render(sample));
      const variants = [
        texts.includes('Waiting for the device to show its login code…'),
        texts.includes('HKQ7-MX2P'),
        texts.includes('The login code expired'),
        texts.some((t) => t.startsWith('Signed in as')),
      ];
      expect(variants.filter(Boolean), sample.label).toHaveLength(1);
    }
  });

  it('refuses a code_ready view without a login code rather than show a blank code', () => {
    expect(() => renderCard('signInProgress', { ...s.signInCodeReady.view, loginCode: null })).toThrow(/unresolved bindings/);
  });
});

describe('deviceStatus', () => {
  it('shows the facts and the history, newest last', () => {
    const card = render(s.deviceStatus);
    expect(factsOf(card)).toEqual([
      ['MAC', 'AA-BB-CC-DD-EE-01'],
      ['Location', 'Building 4 — Lobby'],
      ['Model', 'Poly CCX 505'],
      ['Firmware', '8.1.3.1300'],
      ['State', 'Signed in'],
      ['Since', 'Mon 23 Nov 2026, 09:21 UTC'],
      ['Account', 'lobby-phone@contoso.com'],
    ]);
    const texts = textsOf(card);
    expect(texts.slice(-2)).toEqual(['The device signed in as lobby-phone@contoso.com', 'Mon 23 Nov 2026, 09:21 UTC']);
    expect(texts).toContain('Megan Bowen issued a code');
    expect(actionsOf(card)).toEqual([expect.objectContaining({ verb: verbs.showStatus, data: { mac: 'AA-BB-CC-DD-EE-01' } })]);
  });

  it('leaves out what is unknown and says when there is no history', () => {
    const card = render(s.deviceStatusNew);
    expect(factsOf(card).map(([title]) => title)).toEqual(['MAC', 'Location', 'State', 'Since']);
    expect(textsOf(card)).toContain('Nothing recorded yet.');
  });
});

describe('deviceList', () => {
  it('counts per state, one coloured row per device, and how many more', () => {
    const card = render(s.deviceList);
    expect(factsOf(card)).toEqual([
      ['Registered', '40'],
      ['Waiting for sign-in', '8'],
      ['Signed in', '5'],
    ]);
    const rows = ofType(card, 'ColumnSet').filter((set) => set.selectAction);
    expect(rows.map((row) => textsOf(row))).toEqual(s.deviceList.view.devices.map((d) => [d.mac, d.location, d.state]));
    expect(rows.map((row) => ofType(row, 'TextBlock')[2]!.color)).toEqual(['good', 'accent', 'default']);
    expect(rows.map((row) => row.selectAction)).toEqual(
      s.deviceList.view.devices.map((d) => expect.objectContaining({ type: 'Action.Execute', verb: verbs.showStatus, data: { mac: d.mac } })),
    );
    expect(textsOf(card)).toContain('…and 50 more not listed here.');
  });

  it('says so when there are no devices', () => {
    const card = render(s.deviceListEmpty);
    expect(ofType(card, 'FactSet')).toEqual([]);
    expect(ofType(card, 'ColumnSet')).toEqual([]);
    expect(textsOf(card)).toEqual(['Devices at Room 9.99', 'No devices to show.']);
  });
});

describe('confirm', () => {
  it('asks, says until when, and sends back the command, its arguments and the deadline', () => {
    const card = render(s.confirm);
    expect(textsOf(card)).toEqual([s.confirm.view.title, s.confirm.view.text, 'This question expires at Mon 23 Nov 2026, 09:35 UTC.']);
    expect(actionsOf(card).map(({ type, title, verb, data }) => ({ type, title, verb, data }))).toEqual([
      {
        type: 'Action.Execute',
        title: 'Yes, go ahead',
        verb: verbs.confirm,
        data: { command: 'reset', args: 'AA-BB-CC-DD-EE-01', expiresAt: '2026-11-23T09:35:00.000Z' },
      },
      { type: 'Action.Execute', title: 'Cancel', verb: verbs.cancel, data: { command: 'reset' } },
    ]);
  });

  it('sends empty arguments as an empty string', () => {
    expect(actionsOf(render(s.confirmNoArgs))[0]!.data).toEqual({ command: 'revoke-all', args: '', expiresAt: '2026-11-23T09:35:00.000Z' });
  });
});

describe('notice', () => {
  it('shows the title and text in an emphasis box, in default text', () => {
    const card = render(s.noticeCancelled);
    const [box] = ofType(card, 'Container');
    expect(box).toMatchObject({ style: 'emphasis' });
    expect(ofType(box, 'TextBlock')[0]).toMatchObject({ color: 'default' });
    expect(textsOf(box)).toEqual(['Cancelled', 'Nothing was changed.']);
    expect(actionsOf(card)).toEqual([]);
  });

  it('shows just the title when there is no text', () => {
    const card = render(s.noticeDone);
    // "Done" is good news, but a green box with green text is hard to read in Teams' themes.
    expect(ofType(card, 'Container')[0]).toMatchObject({ style: 'emphasis' });
    expect(ofType(card, 'TextBlock')[0]).toMatchObject({ color: 'default' });
    expect(textsOf(card)).toEqual(['AA-BB-CC-DD-EE-01 marked installed']);
  });

  it('shows a problem in red, in an attention box', () => {
    const card = renderCard('notice', { ...s.noticeCancelled.view, title: 'Locked out', style: 'attention' });
    expect(ofType(card, 'Container')[0]).toMatchObject({ style: 'attention' });
    expect(ofType(card, 'TextBlock')[0]).toMatchObject({ color: 'attention' });
  });
});

describe('text users typed is shown literally, never evaluated', () => {
  const sneaky = ['${evil}', '${mac}', "${$root.batchId}", "${concat('a', 'b')}", '$${x}}', 'cost: $5 {x}', '\uE000\uE001 ${', '${'];

  it.each(sneaky)('a location and note of %j', (text) => {
    const view: CardViews['codeHandoff'] = {
      ...s.codeHandoff.view,
      issuedBy: text,
      locations: [{ name: text, devices: [{ mac: 'AA-BB-CC-DD-EE-01', code: '482913', status: text, statusStyle: 'good', note: text }] }],
      markable: [{ mac: text, label: text }],
    };
    const card = renderCard('codeHandoff', view);
    expect(cardProblems(card)).toEqual([]);
    const texts = textsOf(card);
    expect(texts.filter((t) => t === text)).toHaveLength(3); // location heading, note, status
    expect(factsOf(card)).toContainEqual(['Issued by', text]);
    expect(ofType(card, 'Input.ChoiceSet')[0]!.choices).toEqual([{ title: text, value: text }]);
    expect(card.fallbackText).toContain(`Issued by ${text}.`);
  });

  it('in Action.Execute data, unchanged', () => {
    const card = renderCard('confirm', { ...s.confirm.view, command: '${command}', args: '--name ${args} $$' });
    expect(actionsOf(card).map((a) => a.data)).toEqual([
      { command: '${command}', args: '--name ${args} $$', expiresAt: '2026-11-23T09:35:00.000Z' },
      { command: '${command}' },
    ]);
  });

  it('in lists bound with $data', () => {
    const card = renderCard('deviceStatus', {
      ...s.deviceStatus.view,
      location: '${evil}',
      timeline: [{ at: '${at}', text: '${$root.mac} ${text}' }],
    });
    expect(factsOf(card)).toContainEqual(['Location', '${evil}']);
    expect(textsOf(card)).toEqual(expect.arrayContaining(['${$root.mac} ${text}', '${at}']));
  });
});

describe('renderCard', () => {
  it('refuses a view that leaves a binding unresolved, naming where', () => {
    const { issuedBy: _, ...withoutIssuer } = s.codeHandoff.view;
    expect(() => renderCard('codeHandoff', withoutIssuer as CardViews['codeHandoff'])).toThrow(
      /Card "codeHandoff" has unresolved bindings.*\$\.body\[1\]\.facts\[0\]\.value = "\$\{issuedBy\}"/,
    );
  });

  it('refuses a view with null where the template needs a value', () => {
    expect(() => renderCard('deviceStatus', { ...s.deviceStatus.view, mac: null as unknown as string })).toThrow(/Card "deviceStatus"/);
  });

  it('refuses an unknown card name', () => {
    expect(() => renderCard('nope' as CardName, {} as never)).toThrow(/no card called "nope"/);
  });

  it('renders the same card every time and leaves the view untouched', () => {
    const view = structuredClone(s.codeHandoff.view);
    const first = renderCard('codeHandoff', view);
    expect(renderCard('codeHandoff', view)).toEqual(first);
    expect(view).toEqual(s.codeHandoff.view);
  });

  it('has a sample for every card name', () => {
    expect(new Set(s.allSamples.map((sample) => sample.name))).toEqual(new Set(cardNames));
  });
});
