import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cardNames, renderCard } from '../../../cards/render.ts';
import { commands } from '../../../bot/commands/index.ts';
import type { CommandContext } from '../../../bot/commands/command-spec.ts';
import { renderView } from '../../../bot/teams/render-view.ts';
import type { Services } from '../../../services/index.ts';
import { roles } from '../../../services/auth/role.ts';
import { projectRoot, stringsOf } from './card-checks.ts';
import { allSamples } from './sample-views.ts';

// Teams' markdown takes "<MAC>" for an HTML tag and drops it: the help card once told a new
// admin to type `status` with no argument. Placeholders are written so no renderer can eat
// them (`status MAC`, `location NAME`); anything in angle brackets fails here.
const anglePlaceholder = /<[^<>\s][^<>]*>/;
const withPlaceholders = (texts: readonly string[]) => texts.filter((text) => anglePlaceholder.test(text));

describe('placeholders in what people read', () => {
  it('the pattern finds the placeholders Teams would eat, and nothing else', () => {
    expect(withPlaceholders(['register <MAC> [location]', 'grant <role> @you', 'location <name>', 'a < b and c > d', 'register MAC [location]'])).toEqual([
      'register <MAC> [location]',
      'grant <role> @you',
      'location <name>',
    ]);
  });

  it.each(allSamples.map((sample) => [`${sample.name} (${sample.label})`, sample] as const))('the %s sample card has none', (_, sample) => {
    expect(withPlaceholders(stringsOf(renderCard(sample.name, sample.view as never)))).toEqual([]);
  });

  it.each(cardNames)('the %s template has none, in branches no sample reaches too', (name) => {
    const template: unknown = JSON.parse(readFileSync(path.join(projectRoot, 'cards', `${name}.json`), 'utf8'));
    expect(withPlaceholders(stringsOf(template))).toEqual([]);
  });

  it.each(commands.map((command) => [command.name, command] as const))('"%s" has none in its usage, summary, form or argument errors', (_, command) => {
    const form = command.form;
    const texts = [
      command.usage,
      command.summary,
      ...(form ? [form.title, form.intro, form.submitLabel, ...form.fields.flatMap((f) => [f.label, f.placeholder ?? '', f.hint ?? ''])] : []),
    ];
    // What the argument schema says to an empty or odd argument (the router shows it beside the usage).
    for (const input of ['', '?', 'x'.repeat(5000), 'location', '00-04-F2 nowhere']) {
      const parsed = command.args.safeParse(input);
      if (!parsed.success) texts.push(...parsed.error.issues.map((issue) => issue.message));
    }
    expect(withPlaceholders(texts)).toEqual([]);
  });

  it('the help card an admin sees has none, and shows `status MAC`', async () => {
    const help = commands.find((command) => command.name === 'help');
    const context: CommandContext = {
      tenantId: 't',
      principal: { platform: 'teams', tenantId: 't', userId: 'u', displayName: 'Ada' },
      roles: new Set(roles),
      conversation: { channelId: 'msteams', id: 'c', type: 'personal' },
      mentions: [],
      files: [],
      services: {} as Services,
      commands,
    };
    const reply = await help!.run(context, '');
    expect(reply.view).toBeDefined();
    const texts = stringsOf(renderView(reply.view!));
    expect(withPlaceholders(texts)).toEqual([]);
    expect(texts).toContain('status MAC');
    for (const command of commands) {
      const one = await help!.run(context, command.name);
      expect(withPlaceholders([one.text ?? ''])).toEqual([]);
    }
  });
});
