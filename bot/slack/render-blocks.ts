// The Slack renderer: every neutral view (bot/views/view-data.ts) as Block Kit, the way
// bot/teams/render-view.ts draws it as an Adaptive Card. Each view names its own sections; the
// block helpers (./block-kit.ts) keep every block within Slack's limits and escape what users
// typed, and ./fit-message.ts keeps the message within 50 blocks. Buttons carry their verb and
// data (./slack-buttons.ts); inputs a button needs (the account to sign in, the device and note
// on a hand-off) are input blocks whose ids are the field names the verb's data expects.
import { verbs } from '../actions/verbs.ts';
import { isInstant, type Reply, type View } from '../views/reply.ts';
import { formatTime } from '../views/time.ts';
import type {
  AwaitingSignInView,
  Block,
  BlocksView,
  CodeHandoffView,
  ConfirmView,
  DeviceListView,
  DeviceStatusView,
  DigestView,
  ExpirySummaryView,
  ExpiryWarningView,
  HelpView,
  ImportResultView,
  Instant,
  SignInProgressView,
  StaleDevicesView,
  Style,
  ViewAction,
} from '../views/view-data.ts';
import { blockKitLimits, context, cut, divider, escapeText, fields, header, mrkdwn, plainText, sections, type SlackBlock, type SlackMessage } from './block-kit.ts';
import { actionBlocks, slackButton } from './slack-buttons.ts';

// A time already written out (a view drawn for a template) is shown as it is.
const time = (at: Instant | string) => (isInstant(at) ? formatTime(new Date(at.instant), at.timeZone) : String(at));
const code = (text: string) => `\`${escapeText(text).replaceAll('`', "'")}\``;
const styleMark = (style: Style) => (style === 'attention' ? ':warning: ' : style === 'good' ? ':white_check_mark: ' : '');

/** A text input a button reads (its id is the field the verb's data expects). */
function textInput(id: string, label: string, options: { initial?: string | null; placeholder?: string; multiline?: boolean; optional?: boolean } = {}): SlackBlock {
  return {
    type: 'input',
    block_id: id,
    optional: options.optional ?? true,
    label: plainText(label, 2000),
    element: {
      type: 'plain_text_input',
      action_id: id,
      multiline: options.multiline ?? false,
      ...(options.initial ? { initial_value: cut(options.initial, 3000) } : {}),
      ...(options.placeholder ? { placeholder: plainText(options.placeholder, 150) } : {}),
    },
  };
}

function selectInput(id: string, label: string, choices: readonly { value: string; label: string }[], initial?: string): SlackBlock[] {
  if (choices.length === 0) return [];
  const options = choices.slice(0, blockKitLimits.optionsPerSelect).map((choice) => ({ text: plainText(choice.label, blockKitLimits.optionTextChars), value: cut(choice.value, 150) }));
  const initialOption = options.find((option) => option.value === initial);
  return [{ type: 'input', block_id: id, optional: true, label: plainText(label, 2000), element: { type: 'static_select', action_id: id, options, ...(initialOption ? { initial_option: initialOption } : {}) } }];
}

function help(data: HelpView): SlackBlock[] {
  const lines = data.commands.map((command) => `${code(`/provision ${command.usage}`)}: ${mrkdwn(command.summary)}${command.aliases ? ` _(also ${escapeText(command.aliases)})_` : ''} · ${escapeText(command.permission)}`);
  return [header('What I can do'), ...sections(lines.length > 0 ? lines.join('\n') : 'No command is available to you here.'), ...context(['Type `/provision <command>`, mention me, or message me directly.'])];
}

function commandError(data: { title: string; problem: string; suggestion: string | null; usage: string | null }): SlackBlock[] {
  return [
    ...sections(`:x: *${escapeText(data.title)}*\n${mrkdwn(data.problem)}`),
    ...(data.suggestion ? sections(`Try: ${code(data.suggestion)}`) : []),
    ...(data.usage ? context([`Usage: ${code(`/provision ${data.usage}`)}`]) : []),
  ];
}

function importResult(data: ImportResultView): SlackBlock[] {
  const counts = [
    { title: 'Added', value: String(data.added) },
    { title: 'Already registered', value: String(data.alreadyRegistered) },
    { title: 'Updated', value: String(data.updated) },
    { title: 'Rejected', value: String(data.rejectedCount) },
    { title: 'Duplicates in the file', value: String(data.duplicatesCount) },
  ];
  const rejected = data.rejected.map((row) => `Line ${row.line}: ${code(row.value)}: ${mrkdwn(row.reason)}`);
  if (data.moreRejected > 0) rejected.push(`…and ${data.moreRejected} more rejected rows.`);
  return [header(data.title), ...fields(counts), ...(rejected.length > 0 ? sections(`*Rejected rows*\n${rejected.join('\n')}`) : [])];
}

function deviceLine(device: CodeHandoffView['locations'][number]['devices'][number]): string {
  const note = device.note ? ` _${escapeText(device.note)}_` : '';
  return `${code(device.mac)}  *${escapeText(device.code)}*  ${styleMark(device.statusStyle)}${escapeText(device.status)}${note}`;
}

function codeHandoff(data: CodeHandoffView): SlackBlock[] {
  const blocks: SlackBlock[] = [header(`Device codes${data.page ? `: ${data.page}` : ''} — ${data.onlineCount} of ${data.totalCount} online`)];
  blocks.push(...context([`Issued by ${escapeText(data.issuedBy)}`, `Valid until ${time(data.expiresAt)}`, ...(data.sentTo ? [`Sent to: ${escapeText(data.sentTo)}`] : [])]));
  if (data.lines.length > 0) blocks.push(...sections(data.lines.map(mrkdwn).join('\n')));
  if (data.locations.length === 0) blocks.push(...sections('No devices in this batch.'));
  for (const location of data.locations) {
    blocks.push(...sections(`*${escapeText(location.name)}*\n${location.devices.map(deviceLine).join('\n')}`));
  }
  if (data.markable.length > 0) {
    blocks.push(divider, ...sections('On site? Tell us how it went.'));
    blocks.push(...selectInput('mac', 'Device', data.markable.map((device) => ({ value: device.mac, label: device.label }))));
    blocks.push(textInput('note', 'Note', { placeholder: 'e.g. mounted by the door, or what went wrong' }));
    blocks.push(
      ...actionBlocks([
        { label: 'Mark installed', verb: verbs.markInstalled, style: 'positive', data: { batchId: data.batchId, page: data.pageKey } },
        { label: 'Report a problem', verb: verbs.reportProblem, data: { batchId: data.batchId, page: data.pageKey } },
      ], 100),
    );
  }
  return blocks;
}

function provenanceFields(provenance: AwaitingSignInView['provenance']): SlackBlock[] {
  return [
    ...fields([
      { title: 'Location', value: provenance.location },
      { title: 'Code issued by', value: `${provenance.codeIssuedBy}${provenance.codeIssuedAt ? `, ${time(provenance.codeIssuedAt)}` : ''}` },
      { title: 'Provisioned at', value: time(provenance.provisionedAt) },
      { title: 'Provisioned from', value: provenance.provisionedFrom },
      { title: 'History', value: provenance.historySummary },
    ]),
    ...context(provenance.history.slice(-5).map((line) => `${time(line.at)}: ${escapeText(line.text)}`)),
  ];
}

function warningBlocks(warnings: readonly string[]): SlackBlock[] {
  return warnings.length === 0 ? [] : sections(warnings.map((warning) => `:warning: ${escapeText(warning)}`).join('\n'));
}

function awaitingSignIn(data: AwaitingSignInView): SlackBlock[] {
  return [
    header('Device provisioned, waiting for sign-in'),
    ...sections(`${code(data.mac)} at *${escapeText(data.location)}*`),
    ...sections('*What the bot recorded*'),
    ...provenanceFields(data.provenance),
    ...(data.reported.length > 0 ? [...sections('*Reported by the device (not checked)*'), ...fields(data.reported)] : []),
    ...warningBlocks(data.warnings),
    textInput('account', 'Account to sign in with', { initial: data.suggestedAccount, placeholder: 'lobby-phone@contoso.com' }),
    ...actionBlocks([{ label: 'Sign in', verb: verbs.signIn, style: 'positive', data: { mac: data.mac } }, { label: 'Status', verb: verbs.showStatus, data: { mac: data.mac } }], 100),
  ];
}

function signInProgress(data: SignInProgressView): SlackBlock[] {
  const blocks: SlackBlock[] = [header(`Sign-in: ${data.mac}`), ...context([escapeText(data.location)])];
  const status = { mac: data.mac };
  if (data.status === 'requested') blocks.push(...sections('Waiting for the device to show its login code…'));
  if (data.status === 'code_ready') {
    blocks.push(...sections(`Login code, as reported by the device: *${escapeText(data.loginCode ?? '')}*\nGo to ${escapeText(data.portalUrl)} and enter the code.`));
    if (data.account) blocks.push(...sections(`Sign in with the account ${escapeText(data.account)}.`));
    if (data.at) blocks.push(...context([`The code is valid until ${time(data.at)}.`]));
    if (data.provenance) {
      blocks.push(...sections('*Before you enter the code: what the bot recorded about this device*'), ...provenanceFields(data.provenance));
      blocks.push(...context(['Enter the code only if this is the device you expect: a code entered at the portal signs the account in wherever the code came from.']));
    }
  }
  if (data.status === 'lapsed') blocks.push(...sections('*The login code expired*\nNobody entered it in time. Ask the device for a fresh code and try again.'));
  if (data.status === 'signed_in') {
    blocks.push(...sections(`:white_check_mark: Signed in${data.account ? ` as ${escapeText(data.account)} (reported by the device)` : ''}${data.at ? ` at ${time(data.at)}` : ''}`));
  }
  blocks.push(...warningBlocks(data.warnings));
  const buttons: ViewAction[] = [];
  if (data.status === 'lapsed') buttons.push({ label: 'Refresh code', verb: verbs.refreshSignIn, style: 'positive', data: status });
  buttons.push({ label: 'Status', verb: verbs.showStatus, data: status });
  if (data.status === 'code_ready') blocks.push({ type: 'actions', elements: [{ type: 'button', action_id: 'provision.link.portal', text: plainText('Open the sign-in page'), url: cut(data.portalUrl, 3000) }] });
  return [...blocks, ...actionBlocks(buttons, 100)];
}

function deviceStatus(data: DeviceStatusView): SlackBlock[] {
  return [
    header(`Device ${data.mac}`),
    ...fields([
      { title: 'MAC', value: data.mac },
      { title: 'Location', value: data.location },
      { title: 'Model', value: data.model ?? '' },
      { title: 'Firmware', value: data.firmwareVersion ?? '' },
      { title: 'State', value: `${data.state} since ${time(data.stateSince)}` },
      { title: 'Account', value: data.account ?? '' },
    ]),
    ...sections(data.timeline.length === 0 ? 'No history yet.' : data.timeline.map((line) => `${time(line.at)}: ${escapeText(line.text)}`).join('\n')),
  ];
}

function deviceList(data: DeviceListView): SlackBlock[] {
  const lines = data.devices.map((device) => `${code(device.mac)} ${escapeText(device.location)} · ${styleMark(device.stateStyle)}${escapeText(device.state)}`);
  if (data.more > 0) lines.push(`…and ${data.more} more.`);
  return [
    header(data.title),
    ...(data.counts.length > 0 ? context([data.counts.map((count) => `${escapeText(count.label)}: *${count.count}*`).join(' · ')]) : []),
    ...sections(lines.length > 0 ? lines.join('\n') : 'No devices.'),
  ];
}

function confirm(data: ConfirmView): SlackBlock[] {
  const yes = slackButton({ label: 'Yes, go ahead', verb: verbs.confirm, style: 'positive', data: { command: data.command, args: data.args, expiresAt: data.expiresAtIso } }, 100, {
    title: 'Are you sure?',
    text: data.text,
    confirm: 'Yes, go ahead',
    deny: 'Not yet',
  });
  const no = slackButton({ label: 'Cancel', verb: verbs.cancel, data: { command: data.command } }, 101);
  return [
    ...sections(`*${escapeText(data.title)}*\n${mrkdwn(data.text)}`),
    ...context([`This question expires at ${time(data.expiresAt)}.`]),
    ...(yes && no ? [{ type: 'actions', elements: [yes, no] }] : sections(`Too long to confirm with a button: type ${code(`/provision ${cut(`${data.command} ${data.args}`, 200)}`)} again in smaller parts.`)),
  ];
}

function notice(data: { title: string; text: string; style: Style }): SlackBlock[] {
  return sections(`${styleMark(data.style)}*${escapeText(data.title)}*${data.text ? `\n${mrkdwn(data.text)}` : ''}`);
}

function digest(data: DigestView): SlackBlock[] {
  const pipeline = data.pipeline.map((row) => `${escapeText(row.label)} ${row.count} ${row.bar}`).join('\n');
  const locations = data.locations.map((row) => `*${escapeText(row.name)}*: ${escapeText(row.counts)}`);
  if (data.moreLocations > 0) locations.push(`…and ${data.moreLocations} more.`);
  const stuck = data.stuck.map((row) => `${code(row.mac)} ${escapeText(row.location)}: ${escapeText(row.age)}`);
  if (data.moreStuck > 0) stuck.push(`…and ${data.moreStuck} more.`);
  return [
    header(data.title),
    ...context([escapeText(data.subtitle)]),
    ...sections(`\`\`\`${escapeText(pipeline)}\`\`\``),
    ...(locations.length > 0 ? sections(`*Locations*\n${locations.join('\n')}`) : sections('No devices yet.')),
    ...fields([...data.progress, ...data.attention]),
    ...(stuck.length > 0 ? sections(`*Stuck before sign-in*\n${stuck.join('\n')}`) : []),
    ...(data.lockedOut ? sections(`:warning: Locked out: ${escapeText(data.lockedOut)}`) : []),
  ];
}

const macList = (macs: readonly string[], more: number) => `${macs.map(code).join(' ')}${more > 0 ? `\n…and ${more} more.` : ''}`;

function expiryWarning(data: ExpiryWarningView): SlackBlock[] {
  return [
    ...sections(`:hourglass: *${escapeText(data.title)}*\n${mrkdwn(data.text)}`),
    ...sections(`*Devices still waiting on activation*\n${macList(data.macs, data.moreMacs)}`),
    ...(data.canRegenerate
      ? [
          ...context([`Codes cannot be extended. Regenerate them instead: the devices get new codes valid ${escapeText(data.newCodesValidFor)}, the old ones stop working, and the technicians get a new hand-off.`]),
          ...actionBlocks([{ label: 'Regenerate codes', verb: verbs.regenerateCodes, style: 'positive', data: { batchId: data.batchId, location: data.location } }], 100),
        ]
      : context(['An admin can regenerate them from their copy of this warning.'])),
  ];
}

function expirySummary(data: ExpirySummaryView): SlackBlock[] {
  return [...sections(`*${escapeText(data.title)}*\n${mrkdwn(data.text)}`), ...sections(macList(data.macs, data.moreMacs)), ...context([`To issue new ones: ${code(`/provision ${data.command}`)}`])];
}

function staleDevices(data: StaleDevicesView): SlackBlock[] {
  const blocks: SlackBlock[] = [...sections(`*${escapeText(data.title)}*\n${mrkdwn(data.text)}`)];
  data.devices.forEach((device, index) => {
    const button = slackButton({ label: 'Sign in', verb: verbs.signIn, data: { mac: device.mac } }, 100 + index);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(`${code(device.mac)} ${escapeText(device.location)} · waiting ${escapeText(device.waiting)}`, 3000) }, ...(button ? { accessory: button } : {}) });
  });
  blocks.push(...context([data.more > 0 ? `…and ${data.more} more. Type \`/provision list\` to see them all.` : 'Or type `/provision signin MAC ACCOUNT`.']));
  return blocks;
}

/** One building block; `index` keeps an item's button id unique within the message. */
function block(item: Block, index: number): SlackBlock[] {
  switch (item.kind) {
    case 'text':
      return item.subtle ? context([mrkdwn(item.text)]) : sections(mrkdwn(item.text));
    case 'facts':
      return fields(item.facts);
    case 'table': {
      const rows = [item.columns, ...item.rows].map((cells, index) => (index === 0 ? `*${cells.map(escapeText).join(' · ')}*` : cells.map(escapeText).join(' · ')));
      return sections(rows.join('\n'));
    }
    case 'progress': {
      const width = 12;
      const filled = item.total > 0 ? Math.round((item.done / item.total) * width) : 0;
      return sections(`${escapeText(item.label)}: \`${'█'.repeat(filled)}${'░'.repeat(width - filled)}\` ${item.done} of ${item.total}`);
    }
    case 'notice':
      return sections(`${item.style === 'attention' ? ':warning: ' : ':information_source: '}${mrkdwn(item.text)}`);
    case 'item': {
      // A list entry with its own button (a sign-in queue row and its "done"): the button sits beside the text.
      const lines = [`*${escapeText(item.title)}*`, ...item.facts.map((fact) => `${escapeText(fact.title)}: ${escapeText(fact.value)}`)];
      const button = item.action ? slackButton(item.action, 200 + index) : null;
      return [{ type: 'divider' }, { type: 'section', text: { type: 'mrkdwn', text: cut(lines.join('\n'), 3000) }, ...(button ? { accessory: button } : {}) }];
    }
  }
}

function blocksView(data: BlocksView): SlackBlock[] {
  return [header(data.title), ...data.blocks.flatMap((item, index) => block(item, index))];
}

/** The view's own blocks, without the generic next-step buttons. */
function bodyOf(view: View): SlackBlock[] {
  switch (view.name) {
    case 'help':
      return help(view.data);
    case 'commandError':
      return commandError(view.data);
    case 'importResult':
      return importResult(view.data);
    case 'codeHandoff':
      return codeHandoff(view.data);
    case 'awaitingSignIn':
      return awaitingSignIn(view.data);
    case 'signInProgress':
      return signInProgress(view.data);
    case 'deviceStatus':
      return deviceStatus(view.data);
    case 'deviceList':
      return deviceList(view.data);
    case 'confirm':
      return confirm(view.data);
    case 'notice':
      return notice(view.data);
    case 'digest':
      return digest(view.data);
    case 'expiryWarning':
      return expiryWarning(view.data);
    case 'expirySummary':
      return expirySummary(view.data);
    case 'staleDevices':
      return staleDevices(view.data);
    case 'blocks':
      return blocksView(view.data);
    case 'form':
      // A form opens as a modal (./slack-modals.ts); in a message it can only say so.
      return sections(`*${escapeText(view.data.title)}*\n${mrkdwn(view.data.intro)}\nType \`/provision ${escapeText(view.data.dialog)}\` to open it.`);
  }
}

/** The one-line text of a view, for notifications and screen readers. */
export function viewSummary(view: View): string {
  switch (view.name) {
    case 'help':
      return 'What I can do';
    case 'commandError':
      return `${view.data.title}: ${view.data.problem}`;
    case 'codeHandoff':
      return `Device codes${view.data.page ? `: ${view.data.page}` : ''}: ${view.data.onlineCount} of ${view.data.totalCount} online`;
    case 'awaitingSignIn':
      return `Device ${view.data.mac} provisioned, waiting for sign-in`;
    case 'signInProgress':
      return `Sign-in of ${view.data.mac}: ${view.data.status.replace('_', ' ')}`;
    case 'deviceStatus':
      return `Device ${view.data.mac}: ${view.data.state}`;
    case 'blocks':
      return view.data.summary;
    case 'notice':
      return `${view.data.title}${view.data.text ? `: ${view.data.text}` : ''}`;
    default:
      return 'title' in view.data ? view.data.title : view.name;
  }
}

/** A view as Block Kit blocks, its next-step buttons at the end (not yet cut to one message: ./fit-message.ts). */
export function renderBlocks(view: View): SlackBlock[] {
  const actions = (view.data as { actions?: ViewAction[] }).actions;
  return [...bodyOf(view), ...actionBlocks(actions)];
}

/** A reply (view and/or text) as blocks and notification text. */
export function renderReply(reply: Pick<Reply, 'text' | 'view'>): SlackMessage {
  const text = reply.text ?? '';
  if (!reply.view) return { text: cut(mrkdwn(text), blockKitLimits.messageTextChars), blocks: sections(mrkdwn(text)) };
  const summary = text !== '' ? text : viewSummary(reply.view);
  return { text: cut(mrkdwn(summary), blockKitLimits.messageTextChars), blocks: [...(text !== '' ? sections(mrkdwn(text)) : []), ...renderBlocks(reply.view)] };
}
