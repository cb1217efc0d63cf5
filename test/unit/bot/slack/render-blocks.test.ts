// The Block Kit renderer: every view the bot can send renders within Slack's limits, user text
// is escaped, and what cannot fit one message is split and says so.
import { describe, expect, it } from 'vitest';
import { blockKitLimits, chunks } from '../../../../bot/slack/block-kit.ts';
import { oneMessage, splitMessage } from '../../../../bot/slack/fit-message.ts';
import { renderReply } from '../../../../bot/slack/render-blocks.ts';
import { pressedButton } from '../../../../bot/slack/slack-buttons.ts';
import { view, type View } from '../../../../bot/views/reply.ts';
import type { ViewName } from '../../../../bot/views/view-data.ts';
import { blockKitProblems } from '../../../helpers/block-kit-check.ts';
import { slackText } from '../../../helpers/fake-slack.ts';
import { allSamples } from '../../cards/sample-views.ts';

const asView = (name: string, data: unknown) => view(name as ViewName, data as never);
const textOf = (message: { text: string; blocks: unknown[] }) => slackText({ method: 'chat.postMessage', args: message as unknown as Record<string, unknown>, authorization: null });

const blocksSample: View = view('blocks', {
  title: 'Device locked out',
  summary: 'One device is locked out.',
  blocks: [
    { kind: 'text', text: 'A **bold** word and `code`.' },
    { kind: 'text', text: 'small print', subtle: true },
    { kind: 'facts', facts: Array.from({ length: 23 }, (_, index) => ({ title: `Fact ${index}`, value: `value ${index}` })) },
    { kind: 'table', columns: ['MAC', 'Site'], rows: [['00-04-F2-00-00-01', 'Lobby']] },
    { kind: 'progress', label: 'Signed in', done: 3, total: 12 },
    { kind: 'notice', text: 'Careful.', style: 'attention' },
  ],
  actions: [{ label: 'Help', command: 'help' }, { label: 'Issue a new code', dialog: 'codes', data: { target: 'macs' } }, { label: 'Status', verb: 'device.status', data: { mac: '00-04-F2-00-00-01' } }],
});

const formSample: View = view('form', { dialog: 'register', title: 'Register devices', intro: 'MACs, one a line.', submitLabel: 'Register', fields: [], values: {}, errors: {}, problem: null });

describe('the Block Kit renderer', () => {
  const every = [...allSamples.map((sample) => ({ label: `${sample.name}: ${sample.label}`, view: asView(sample.name, sample.view) })), { label: 'blocks', view: blocksSample }, { label: 'form', view: formSample }];

  it('draws every view name the bot has', () => {
    const names = new Set(every.map((entry) => entry.view.name));
    const all: ViewName[] = ['help', 'commandError', 'importResult', 'codeHandoff', 'awaitingSignIn', 'signInProgress', 'deviceStatus', 'deviceList', 'confirm', 'notice', 'digest', 'expiryWarning', 'expirySummary', 'staleDevices', 'blocks', 'form'];
    expect([...names].sort()).toEqual([...all].sort());
  });

  it.each(every.map((entry) => [entry.label, entry.view] as const))('renders %s within the limits', (_label, shown) => {
    const message = renderReply({ view: shown });
    expect(message.blocks.length).toBeGreaterThan(0);
    for (const part of splitMessage(message)) expect(blockKitProblems(part.blocks)).toEqual([]);
    expect(message.text.length).toBeGreaterThan(0);
  });

  it('keeps a section of 23 facts to sections of 10 fields', () => {
    const fieldCounts = renderReply({ view: blocksSample }).blocks.filter((block) => Array.isArray(block.fields)).map((block) => (block.fields as unknown[]).length);
    expect(fieldCounts).toEqual([10, 10, 3]);
  });

  it('escapes &, < and > in everything users typed', () => {
    const typed = '<!channel> & <https://evil.example|your bank>';
    const message = renderReply({ view: view('notice', { title: typed, text: typed, style: 'default' }), text: typed });
    const shown = JSON.stringify(message);
    expect(shown).not.toContain('<!channel>');
    expect(shown).not.toContain('<https://');
    expect(textOf(message)).toContain('&lt;!channel&gt; &amp; &lt;https://evil.example|your bank&gt;');
  });

  it('cuts long text into sections of at most 3,000 characters, at line breaks', () => {
    const long = Array.from({ length: 400 }, (_, index) => `line ${index} ${'x'.repeat(20)}`).join('\n');
    const message = renderReply({ view: view('blocks', { title: 't', summary: 's', blocks: [{ kind: 'text', text: long }] }) });
    const texts = message.blocks.filter((block) => block.type === 'section').map((block) => (block.text as { text: string }).text);
    expect(texts.length).toBeGreaterThan(3);
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(blockKitLimits.sectionTextChars);
    expect(texts.join('\n')).toBe(long);
    expect(chunks('y'.repeat(7000), 3000).map((piece) => piece.length)).toEqual([3000, 3000, 1000]);
  });

  it('splits a message of more than 50 blocks into parts, and tells the reader', () => {
    const devices = Array.from({ length: 500 }, (_, index) => ({ mac: `00-04-F2-00-${String(Math.floor(index / 100)).padStart(2, '0')}-${String(index % 100).padStart(2, '0')}`, code: '123456', status: 'waiting on activation', statusStyle: 'default' as const, note: null }));
    const locations = Array.from({ length: 100 }, (_, index) => ({ name: `Site ${index}`, devices: devices.slice(index * 5, index * 5 + 5) }));
    const handoff = view('codeHandoff', { batchId: 'b1', pageKey: 'b1', page: '', issuedBy: 'Ada', expiresAt: { instant: '2026-12-08T10:00:00Z', timeZone: 'UTC' }, sentTo: '', lines: [], onlineCount: 0, totalCount: 500, locations, markable: [] });
    const parts = splitMessage(renderReply({ view: handoff }));
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) expect(blockKitProblems(part.blocks)).toEqual([]);
    expect(textOf(parts[0]!)).toContain(`part 1 of ${parts.length}`);
    const codes = parts.map(textOf).join('\n').match(/`00-04-F2-[0-9-]+`/g) ?? [];
    expect(new Set(codes).size).toBe(500);
    // Updated in place, it must be one message: cut, with a line saying so.
    const one = oneMessage(renderReply({ view: handoff }));
    expect(one.blocks.length).toBeLessThanOrEqual(50);
    expect(textOf(one)).toContain('Too long for one Slack message');
  });

  it('leaves out a button whose value would pass 2,000 characters, and shows its command instead', () => {
    const command = `import ${'00-04-F2-00-00-01;Lobby\n'.repeat(100)}`;
    const message = renderReply({ view: view('commandError', { title: 'Did you mean', problem: 'x', suggestion: null, usage: null, actions: [{ label: 'Run it', command }, { label: 'Help', command: 'help' }] }) });
    const buttons = message.blocks.flatMap((block) => (block.type === 'actions' ? (block.elements as { text: { text: string } }[]) : []));
    expect(buttons.map((button) => button.text.text)).toEqual(['Help']);
    expect(textOf(message)).toContain('Too long for a button');
    expect(blockKitProblems(message.blocks)).toEqual([]);
  });

  it('reads back what a button carries, and nothing from a value that is not ours', () => {
    const [actions] = renderReply({ view: view('notice', { title: 't', text: '', style: 'default', actions: [{ label: 'Sign in', verb: 'device.signIn', data: { mac: 'AA' } }] }) }).blocks.filter((block) => block.type === 'actions');
    const value = (actions!.elements as { value: string }[])[0]!.value;
    expect(pressedButton(value)).toEqual({ kind: 'verb', verb: 'device.signIn', data: { mac: 'AA' } });
    expect(pressedButton('not json')).toBeNull();
    expect(pressedButton('[1,2]')).toBeNull();
    expect(pressedButton(JSON.stringify({ x: 1 }))).toBeNull();
    expect(pressedButton('x'.repeat(2001))).toBeNull();
  });
});
