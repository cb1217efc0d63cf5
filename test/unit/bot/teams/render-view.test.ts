// The Teams renderer of neutral views: every view it draws from parts (building blocks, command
// forms) and every kind of neutral button is a valid Adaptive Card 1.5 by the adaptivecards
// parser (and the schema, where ../shared has it); Instants are shown in the reader's zone.
import { describe, expect, it } from 'vitest';
import { adaptiveAction, formCard, renderView, withTimesFormatted } from '../../../../bot/teams/render-view.ts';
import { instant, view } from '../../../../bot/views/reply.ts';
import type { FormView, Instant, SignInProvenance } from '../../../../bot/views/view-data.ts';

/** The bot's record of a device provisioned at `at`, for sign-in cards. */
const provenance = (at: Instant): SignInProvenance => ({
  location: 'Lobby',
  codeIssuedBy: 'Megan Bowen',
  codeIssuedAt: null,
  provisionedAt: at,
  provisionedFrom: '10.0.0.7',
  historySummary: 'provisioned once',
  history: [],
});
import { commands } from '../../../../bot/commands/index.ts';
import { actionsOf, cardProblems, nodesOf, textsOf } from '../../cards/card-checks.ts';

const form: FormView = {
  dialog: 'register',
  title: 'Register devices',
  intro: 'Paste the MAC addresses.',
  submitLabel: 'Register',
  fields: [
    { id: 'macs', label: 'MAC addresses', kind: 'multiline', required: true, placeholder: '00-04-F2-81-24-B3' },
    { id: 'location', label: 'Location', kind: 'text', required: false, choices: [{ value: 'Lobby', label: 'Lobby' }], hint: 'Pick or type.' },
    { id: 'target', label: 'For', kind: 'choice', required: true, choices: [{ value: 'all', label: 'All' }] },
  ],
  values: { macs: 'zz', location: 'Lobby' },
  errors: { macs: 'Not a MAC address: "zz".' },
  problem: 'That did not work: try again.',
};

describe('the Teams renderer of neutral views', () => {
  it('draws a command form with each field, its value, and its error right under it', () => {
    const card = formCard(form);
    expect(cardProblems(card)).toEqual([]);
    const nodes = nodesOf(card);
    const macs = nodes.findIndex((node) => node.id === 'macs');
    expect(nodes[macs]).toMatchObject({ type: 'Input.Text', isMultiline: true, isRequired: true, value: 'zz' });
    expect(nodes[macs + 1]).toMatchObject({ type: 'TextBlock', text: 'Not a MAC address: "zz".', color: 'attention' });
    const location = nodes.findIndex((node) => node.id === 'location');
    expect(nodes[location]).toMatchObject({ type: 'Input.Text', value: 'Lobby' });
    expect(nodes[location + 1]).toMatchObject({ type: 'TextBlock', text: 'Pick or type. In use: Lobby.' });
    expect(nodes.find((node) => node.id === 'target')).toMatchObject({ type: 'Input.ChoiceSet', style: 'compact' });
    expect(textsOf(card)).toContain('That did not work: try again.');
    expect(actionsOf(card)).toEqual([{ type: 'Action.Submit', title: 'Register', style: 'positive', data: { dialog: 'register' } }]);
  });

  it('offers people to pick where their labels are not what is submitted, and a text box without them', () => {
    const field = { id: 'user', label: 'Person', kind: 'text' as const, suggestAs: 'pick' as const, required: true };
    const withMembers = formCard({ ...form, fields: [{ ...field, choices: [{ value: 'aaaa-1', label: 'Tom Tech' }] }], values: {}, errors: {}, problem: null });
    expect(cardProblems(withMembers)).toEqual([]);
    expect(nodesOf(withMembers).find((node) => node.id === 'user')).toMatchObject({ type: 'Input.ChoiceSet', choices: [{ title: 'Tom Tech', value: 'aaaa-1' }] });
    const alone = formCard({ ...form, fields: [field], values: {}, errors: {}, problem: null });
    expect(nodesOf(alone).find((node) => node.id === 'user')).toMatchObject({ type: 'Input.Text' });
  });

  it('draws every building block, valid by the parser', () => {
    const card = renderView(
      view('blocks', {
        title: 'Everything',
        summary: 'All the blocks',
        blocks: [
          { kind: 'text', text: 'Plain **text**' },
          { kind: 'text', text: 'small print', subtle: true },
          { kind: 'facts', facts: [{ title: 'Devices', value: '12' }] },
          { kind: 'table', columns: ['MAC', 'State'], rows: [['00-04-F2-81-24-B3', 'signed in']] },
          { kind: 'progress', label: 'Online', done: 3, total: 12 },
          { kind: 'notice', text: 'Careful', style: 'attention' },
        ],
        actions: [{ label: 'Issue codes', dialog: 'codes', data: { target: 'all' } }],
      }),
    );
    expect(cardProblems(card)).toEqual([]);
    expect(card.fallbackText).toBe('All the blocks');
    expect(textsOf(card)).toEqual(expect.arrayContaining(['Everything', 'Plain \\*\\*text\\*\\*', 'Careful', '00-04-F2-81-24-B3', 'Online: ███░░░░░░░░░ 3 of 12']));
  });

  it.each([
    ['a card action', { label: 'Sign in', verb: 'device.signIn', style: 'positive' as const, data: { mac: 'M' } }, { type: 'Action.Execute', title: 'Sign in', verb: 'device.signIn', style: 'positive', data: { mac: 'M' } }],
    ['a dialog', { label: 'Issue codes', dialog: 'codes', data: { target: 'all' } }, { type: 'Action.Submit', title: 'Issue codes', data: { msteams: { type: 'task/fetch' }, dialog: 'codes', target: 'all' } }],
    ['a typed command', { label: 'Help', command: 'help' }, { type: 'Action.Submit', title: 'Help', data: { msteams: { type: 'imBack', value: 'help' } } }],
  ])('turns %s into the Adaptive Card action Teams knows', (_what, action, expected) => {
    expect(adaptiveAction(action)).toEqual(expected);
  });

  it("formats Instants for the reader's zone, and nothing else", () => {
    const at = new Date('2026-11-23T08:00:00Z');
    expect(withTimesFormatted({ when: instant(at, 'Europe/Paris'), count: 3, label: 'x' })).toEqual({ when: 'Mon 23 Nov, 09:00 CET', count: 3, label: 'x' });
  });

  describe("times in the reader's own zone", () => {
    const at = new Date('2026-11-23T08:00:00.000Z');
    const local = '{{DATE(2026-11-23T08:00:00Z, SHORT)}}, {{TIME(2026-11-23T08:00:00Z)}}';

    it('writes an Instant in a TextBlock as Adaptive Cards DATE/TIME functions, to the second (no milliseconds, which Teams would show raw)', () => {
      const card = renderView(
        view('confirm', { title: 'Reset?', text: 'Sure?', command: 'reset', args: 'x', expiresAt: instant(at, 'Europe/Berlin'), expiresAtIso: at.toISOString() }),
      );
      expect(cardProblems(card)).toEqual([]);
      expect(textsOf(card)).toContain(`This question expires at ${local}.`);
      // fallbackText is plain text: the view's zone, named.
      expect(card.fallbackText).toBe('Reset? — Sure? (Answer before Mon 23 Nov, 09:00 CET.)');
    });

    it('keeps the zone text in fact values (DATE/TIME is documented for TextBlock only) and shows the hand-off expiry in the reader\'s zone', () => {
      const awaiting = renderView(
        view('awaitingSignIn', { mac: '00-04-F2-81-24-B3', location: 'Lobby', model: null, firmwareVersion: null, provisionedAt: instant(at, 'Europe/Berlin'), provenance: provenance(instant(at, 'Europe/Berlin')), reported: [], warnings: [], suggestedAccount: null }),
      );
      expect(cardProblems(awaiting)).toEqual([]);
      const facts = nodesOf(awaiting).filter((node) => typeof node.title === 'string' && typeof node.value === 'string' && node.type === undefined);
      expect(facts).toContainEqual({ title: 'Provisioned at', value: 'Mon 23 Nov, 09:00 CET' });
      expect(awaiting.fallbackText).toContain('since Mon 23 Nov, 09:00 CET');

      const handoff = renderView(
        view('codeHandoff', { batchId: 'b', pageKey: 'b', page: '', lines: [], issuedBy: 'Megan', sentTo: '', expiresAt: instant(at, 'America/New_York'), onlineCount: 0, totalCount: 0, locations: [], markable: [] }),
      );
      expect(cardProblems(handoff)).toEqual([]);
      expect(textsOf(handoff)).toContain(`Valid until ${local}`);
      expect(handoff.fallbackText).toContain('valid until Mon 23 Nov, 03:00 GMT-5');
    });

    it("writes every Instant of a list (a device's timeline) in the reader's zone, and leaves no marker behind", () => {
      const card = renderView(
        view('deviceStatus', {
          mac: '00-04-F2-81-24-B3',
          location: 'Lobby',
          model: null,
          firmwareVersion: null,
          state: 'Signed in',
          stateSince: instant(at, 'UTC'),
          account: null,
          timeline: [
            { at: instant(at, 'UTC'), text: 'The device signed in' },
            { at: instant(new Date('2026-11-22T16:05:00Z'), 'UTC'), text: 'Megan Bowen issued a code' },
          ],
        }),
      );
      expect(cardProblems(card)).toEqual([]);
      expect(textsOf(card)).toEqual(expect.arrayContaining(['The device signed in', local, 'Megan Bowen issued a code', '{{DATE(2026-11-22T16:05:00Z, SHORT)}}, {{TIME(2026-11-22T16:05:00Z)}}']));
      expect(JSON.stringify(card)).not.toMatch(/[\uE010\uE011]/);
    });

    it("keeps a user's text holding the marker's private-use character as typed, never turned into a time", () => {
      const card = renderView(
        view('awaitingSignIn', { mac: '00-04-F2-81-24-B3', location: 'Lobby \uE0100\uE011 \uE010', model: null, firmwareVersion: null, provisionedAt: instant(at, 'UTC'), provenance: { ...provenance(instant(at, 'UTC')), location: 'Lobby \uE0100\uE011 \uE010' }, reported: [], warnings: [], suggestedAccount: null }),
      );
      expect(nodesOf(card)).toContainEqual({ title: 'Location', value: 'Lobby \uE0100\uE011 \uE010' });
    });
  });

  it('adds the next-step buttons of a templated view after its own', () => {
    const card = renderView(view('notice', { title: 'Done', text: 'Registered.', style: 'good', actions: [{ label: 'Issue codes', dialog: 'codes' }] }));
    expect(cardProblems(card)).toEqual([]);
    expect(actionsOf(card).map((action) => action.title)).toEqual(['Issue codes']);
  });

  it("every command's dialog form is a valid card", () => {
    const withForms = commands.filter((command) => command.form);
    expect(withForms.map((command) => command.name)).toEqual(expect.arrayContaining(['register', 'import', 'codes', 'signin', 'grant']));
    for (const command of withForms) {
      const spec = command.form!;
      const card = formCard({ dialog: command.name, title: spec.title, intro: spec.intro, submitLabel: spec.submitLabel, fields: [...spec.fields], values: {}, errors: {}, problem: null });
      expect(cardProblems(card), command.name).toEqual([]);
    }
  });
});
