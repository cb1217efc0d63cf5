import { describe, expect, it } from 'vitest';
import { commandText, conversationTypeOf, tenantIdOf, textWithoutBotMention } from '../../../../bot/teams/activity-facts.ts';

type ActivityLike = Parameters<typeof tenantIdOf>[0];
/** Activities as they arrive on the wire: only the fields a case needs. */
const activity = (fields: Record<string, unknown>) => fields as ActivityLike;

describe('tenantIdOf', () => {
  it.each([
    ['Teams channelData is read first', { channelData: { tenant: { id: 't-cd' } }, conversation: { tenantId: 't-conv' } }, 't-cd'],
    ['the conversation tenant is used when channelData has none', { channelId: 'msteams', conversation: { tenantId: 't-conv' } }, 't-conv'],
    ['a blank channelData tenant is ignored', { channelData: { tenant: { id: '  ' } }, conversation: { tenantId: 't-conv' } }, 't-conv'],
    ['a channelData tenant that is not text is ignored', { channelData: { tenant: { id: 42 } }, conversation: { tenantId: 't-conv' } }, 't-conv'],
    ['spaces around the tenant are dropped', { channelData: { tenant: { id: ' t-cd ' } } }, 't-cd'],
    ['the Emulator, which sends none, gets the local tenant', { channelId: 'emulator' }, 'local-emulator'],
    ['the Emulator with a blank tenant gets the local tenant', { channelId: 'emulator', conversation: { tenantId: '' } }, 'local-emulator'],
    ['a tenant sent by the Emulator is kept', { channelId: 'emulator', channelData: { tenant: { id: 't-cd' } } }, 't-cd'],
    ['Teams without any tenant has none', { channelId: 'msteams', conversation: { tenantId: ' ' } }, null],
    ['another channel without a tenant has none', { channelId: 'webchat' }, null],
  ])('%s', (_rule, fields, expected) => {
    expect(tenantIdOf(activity(fields))).toBe(expected);
  });
});

describe('conversationTypeOf', () => {
  it.each([
    [{ conversation: { conversationType: 'personal' } }, 'personal'],
    [{ conversation: { conversationType: 'channel', isGroup: true } }, 'channel'],
    [{ conversation: { conversationType: 'groupChat', isGroup: true } }, 'groupChat'],
    [{ conversation: { isGroup: true } }, 'groupChat'],
    [{ conversation: { id: 'emulator-conversation' } }, 'personal'],
    [{}, 'personal'],
    [{ conversation: { conversationType: 'meeting' } }, 'unknown'],
  ])('%o is a %s conversation', (fields, expected) => {
    expect(conversationTypeOf(activity(fields))).toBe(expected);
  });
});

describe('textWithoutBotMention', () => {
  const botId = '28:bot-id';
  const mention = (id: string, name: string) => ({ type: 'mention', mentioned: { id, name }, text: `<at>${name}</at>` });
  const message = (text: string | undefined, entities: object[], botName = 'Provisioning Bot') =>
    activity({ text, recipient: { id: botId, name: botName }, entities });
  const bot = mention(botId, 'Provisioning Bot');
  const alice = mention('29:alice', 'Alice');

  it.each([
    ['a Teams channel message loses the leading bot mention', message('<at>Provisioning Bot</at> help', [bot]), 'help'],
    ['a bot mention in the middle is removed', message('please <at>Provisioning Bot</at> register AA-BB', [bot]), 'please register AA-BB'],
    ['other people\'s mentions are kept', message('<at>Provisioning Bot</at> whoami <at>Alice</at>', [bot, alice]), 'whoami <at>Alice</at>'],
    ['&nbsp; counts as a space', message('<at>Provisioning Bot</at>&nbsp;help&nbsp;&nbsp;me', [bot]), 'help me'],
    ['a leading <at> without a mention entity is the bot\'s', message('<at>Provisioning Bot</at> help', []), 'help'],
    ['a message without mentions is only trimmed', message('  help  whoami ', []), 'help whoami'],
    ['lines after the first are kept', message('<at>Provisioning Bot</at> register\nAA-BB-CC-DD-EE-FF', [bot]), 'register\nAA-BB-CC-DD-EE-FF'],
    ['no text is empty text', message(undefined, [bot]), ''],
    [
      'a dot in the bot name matches only a dot',
      message('ask <at>BotX1</at> and <at>Bot.1</at>', [mention('29:x', 'BotX1'), mention(botId, 'Bot.1')], 'Bot.1'),
      'ask <at>BotX1</at> and',
    ],
    ['brackets in the bot name match only themselves', message('ping <at>Bot (test)</at> now', [mention(botId, 'Bot (test)')], 'Bot (test)'), 'ping now'],
  ])('%s', (_rule, input, expected) => {
    expect(textWithoutBotMention(input)).toBe(expected);
  });

  // BUG (reported, not fixed here): the fallback that strips a leading <at>…</at> also strips
  // another person's mention that has its own entity. Drop `.fails` once fixed.
  it('a leading mention of someone else is kept', () => {
    expect(textWithoutBotMention(message('<at>Alice</at> please <at>Provisioning Bot</at> whoami', [alice, bot]))).toBe(
      '<at>Alice</at> please whoami',
    );
  });
});

describe('commandText', () => {
  const bot = { id: '28:bot', name: 'Provisioning' };
  const mention = (id: string, name: string) => ({ type: 'mention', mentioned: { id, name }, text: `<at>${name}</at>` });
  it.each([
    ['the bot and a person mentioned: both out of the text', '<at>Provisioning</at> grant technician <at>Tom Tech</at>', [mention(bot.id, 'Provisioning'), mention('29:tom', 'Tom Tech')], 'grant technician'],
    ['a mention split in two by Teams', 'grant manager <at>Tom</at> <at>Tech</at>', [mention('29:tom', 'Tom'), mention('29:tom', 'Tech')], 'grant manager'],
    ['people and typed words between them', 'grant technician to <at>Tom</at>, and <at>Ann</at>', [mention('29:tom', 'Tom'), mention('29:ann', 'Ann')], 'grant technician to , and'],
    ['a mention tag without an entity stays as @Name, so the command can say who it could not tell', 'grant technician <at>Ghost</at>', [], 'grant technician @Ghost'],
  ])('%s', (_case, text, entities, expected) => {
    expect(commandText(activity({ text, entities, recipient: bot }))).toBe(expected);
  });
});
