import { describe, expect, it } from 'vitest';
import { roleChangeArgs } from '../../../../bot/commands/grant.ts';
import { setupCommand } from '../../../../bot/commands/setup.ts';

const guid = '70707070-0000-4000-8000-000000000007';

describe('grant and revoke arguments', () => {
  const args = roleChangeArgs('grant');
  it.each([
    // Mentioned people reach the command as context.mentions: the door takes them out of the text.
    ['a role whose person was mentioned', 'technician', { role: 'technician', objectIds: [] }],
    ['a plural role, upper case', 'Technicians', { role: 'technician', objectIds: [] }],
    ['an object id, lower-cased', `admin ${guid.toUpperCase()}`, { role: 'admin', objectIds: [guid] }],
    ['an object id in braces', `admin {${guid}}`, { role: 'admin', objectIds: [guid] }],
    ['filler words and commas', `technician to , and ${guid}`, { role: 'technician', objectIds: [guid] }],
  ])('%s', (_case, text, expected) => {
    expect(args.parse(text)).toEqual(expected);
  });

  it.each([
    ['nothing', '', 'say which role: admin, technician, manager'],
    ['an unknown role', `wizard ${guid}`, '"wizard" is not a role'],
    ['a typed @name that Teams did not turn into a mention', 'technician @Tom', 'type @ and pick the person from the list'],
    ['a word that is no object id', 'technician tom', 'name people by @mention or by Entra object id'],
  ])('refuses %s', (_case, text, message) => {
    const result = args.safeParse(text);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain(message);
  });
});

describe('setup arguments', () => {
  it.each([
    ['technicians', 'technicians'],
    ['Technician', 'technicians'],
    ['admins', 'admins'],
    ['manager', 'managers'],
  ])('%s is the audience %s', (text, audience) => {
    expect(setupCommand.args.parse(text)).toBe(audience);
  });

  it.each(['', 'everyone', 'technicians please'])('refuses %j', (text) => {
    expect(setupCommand.args.safeParse(text).success).toBe(false);
  });
});
