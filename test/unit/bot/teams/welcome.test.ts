import { describe, expect, it } from 'vitest';
import { howToAskForHelp } from '../../../../bot/teams/provisioning-bot.ts';

const recipient = { id: '28:bot', name: 'Provisioning' };

describe('the welcome says how to ask for help where it is posted', () => {
  it('in personal chat: type help', () => {
    expect(howToAskForHelp({ recipient, conversation: { id: 'a:1', conversationType: 'personal', isGroup: false, name: '' } })).toBe('Type **help** to see what I can do.');
  });

  it.each(['channel', 'groupChat'])('in a %s: @mention the bot by the name it has there', (conversationType) => {
    const conversation = { id: '19:x', conversationType, isGroup: true, name: '' };
    expect(howToAskForHelp({ recipient, conversation })).toBe('Here, mention me: type **@Provisioning help** to see what I can do.');
    expect(howToAskForHelp({ recipient: { id: '28:bot', name: 'Device Desk' }, conversation })).toContain('**@Device Desk help**');
    expect(howToAskForHelp({ recipient: { id: '28:bot', name: '' }, conversation })).toContain('**@Provisioning help**');
  });
});
