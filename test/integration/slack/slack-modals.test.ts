// Command forms as Slack modals: opened with views.open from the slash command or a menu
// button, errors shown on the fields, a valid submit runs the command.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCommand } from '../../../bot/commands/command-spec.ts';
import { commands } from '../../../bot/commands/index.ts';
import { errorReply } from '../../../bot/views/reply.ts';
import { FakeSlack, slackText, testBotToken, testSigningSecret, type SlackCall, type SlackChannel, type SlackUser } from '../../helpers/fake-slack.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';

const admin: SlackUser = { team: 'T0001', id: 'U0ADMIN01', name: 'ada' };
const adminDm: SlackChannel = { id: 'D0ADMIN01', name: 'directmessage' };

let slack: FakeSlack;
let bot: TestBot;

/** A command with a form that takes longer than Slack waits for a modal's answer. */
const slowCommand = defineCommand({
  name: 'slow',
  aliases: [],
  summary: 'Takes its time.',
  usage: 'slow WORD',
  operation: 'help',
  args: z.string(),
  form: { title: 'Slow', intro: 'Takes its time.', submitLabel: 'Go', fields: [{ id: 'word', label: 'Word', kind: 'text', required: true }], toArgs: (values) => values.word ?? '' },
  async run(_context, word) {
    await new Promise((resolve) => setTimeout(resolve, 3500));
    return word === 'fail' ? errorReply('Refused', 'The slow command refused it.') : { text: `Slow done: ${word}` };
  },
});

beforeEach(async () => {
  slack = await FakeSlack.start();
  bot = await startTestBot({ SLACK_SIGNING_SECRET: testSigningSecret, SLACK_BOT_TOKEN: testBotToken, SLACK_API_URL: slack.apiUrl, SLACK_ADMIN_USER_IDS: admin.id }, { commands: [...commands, slowCommand] });
  slack.setBotUrl(bot.url);
});
afterEach(async () => {
  await bot.close();
  await slack.close();
  expect(slack.problems).toEqual([]);
});

const opened = (count: number) => slack.waitFor(count, (call) => call.method === 'views.open');
const postsTo = (channel: string) => (call: SlackCall) => call.method === 'chat.postMessage' && call.args.channel === channel;

describe('forms as Slack modals', () => {
  it('opens "/provision register" as a modal, shows errors on the fields, and registers on a valid submit', async () => {
    expect((await slack.slash('register', admin, adminDm)).status).toBe(200);
    const [modal] = await opened(1);
    expect(typeof modal!.args.trigger_id).toBe('string');
    const shown = modal!.args.view as { type: string; blocks: { type: string; block_id?: string }[] };
    expect(shown.type).toBe('modal');
    const fieldIds = shown.blocks.filter((block) => block.type === 'input').map((block) => block.block_id);
    expect(fieldIds).toContain('macs');

    const bad = await slack.submit(modal!, admin, { macs: 'not-a-mac' });
    expect(bad.status).toBe(200);
    const answer = (await bad.json()) as { response_action: string; errors: Record<string, string> };
    expect(answer.response_action).toBe('errors');
    expect(Object.keys(answer.errors)).toEqual([fieldIds[0]]);
    expect(slack.calls.filter(postsTo(adminDm.id))).toEqual([]);

    const good = await slack.submit(modal!, admin, { macs: '00-04-F2-00-00-51', location: 'Lobby' });
    expect(good.status).toBe(200);
    expect(await good.text()).toBe('');
    const [reply] = await slack.waitFor(1, postsTo(adminDm.id));
    expect(slackText(reply)).toMatch(/Registered 1/);
  });

  it('answers "/provision" alone with a menu whose buttons open the forms', async () => {
    expect((await slack.slash('', admin, adminDm)).status).toBe(200);
    const [menu] = await slack.waitFor(1, postsTo(adminDm.id));
    expect(slackText(menu)).toContain('Provisioning');
    const labels = (menu!.args.blocks as { type: string; elements?: { text: { text: string } }[] }[]).flatMap((block) => (block.type === 'actions' ? block.elements!.map((element) => element.text.text) : []));
    expect(labels).toContain('Help');
    const formLabel = labels.find((label) => /register/i.test(label))!;
    expect((await slack.press(menu!, formLabel, admin)).status).toBe(200);
    const [modal] = await opened(1);
    expect((modal!.args.view as { callback_id: string }).callback_id).toBe('provision.form');
  });

  it('imports a CSV chosen in the import modal, or asks for one when neither file nor text is given', async () => {
    slack.addFile('F0009', 'site.csv', 'MAC address,Location\r\n00-04-F2-00-00-71,Lobby\r\n');
    expect((await slack.slash('import', admin, adminDm)).status).toBe(200);
    const [modal] = await opened(1);
    const blocks = (modal!.args.view as { blocks: { block_id?: string; element?: { type: string } }[] }).blocks;
    expect(blocks.find((block) => block.block_id === 'csv.file')?.element?.type).toBe('file_input');

    const empty = (await (await slack.submit(modal!, admin, {})).json()) as { response_action: string; errors: Record<string, string> };
    expect(empty).toEqual({ response_action: 'errors', errors: { 'csv.file': expect.stringContaining('Choose a .csv file') } });

    const chosen = await slack.submit(modal!, admin, {}, { 'csv.file': ['F0009'] });
    expect(await chosen.text()).toBe('');
    const [reply] = await slack.waitFor(1, postsTo(adminDm.id));
    expect(slackText(reply)).toContain('Imported site.csv');
    expect(slack.downloads).toEqual([`Bearer ${testBotToken}`]);
  });

  it('closes the modal of a command slower than Slack waits, and answers in the conversation', async () => {
    expect((await slack.slash('slow', admin, adminDm)).status).toBe(200);
    const [modal] = await opened(1);
    const started = Date.now();
    const submitted = await slack.submit(modal!, admin, { word: 'hello' });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await submitted.text()).toBe('');
    const [reply] = await slack.waitFor(1, postsTo(adminDm.id), 10_000);
    expect(slackText(reply)).toContain('Slow done: hello');

    const refused = await slack.submit(modal!, admin, { word: 'fail' });
    expect(await refused.text()).toBe('');
    const [told] = await slack.waitFor(1, (call) => call.method === 'chat.postEphemeral' && call.args.user === admin.id, 10_000);
    expect(slackText(told)).toContain('The slow command refused it.');
  }, 20_000);

  it('does not open an admin form for someone without the role', async () => {
    const nobody: SlackUser = { team: 'T0001', id: 'U0NOBODY1', name: 'nobody' };
    expect((await slack.slash('register', nobody, { id: 'D0NOBODY1', name: 'directmessage' })).status).toBe(200);
    const [refusal] = await slack.waitFor(1, (call) => call.method === 'chat.postEphemeral');
    expect(slackText(refusal)).toContain('needs the admin role');
    expect(slack.callsOf('views.open')).toEqual([]);
  });
});
