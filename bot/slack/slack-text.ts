// What Slack puts in a message's text that commands must not see as words: user mentions
// ("<@U024BE7LH>" or, escaped by a slash command, "<@U024BE7LH|tom>") become the command's
// mentions, the bot's own mention is dropped, and Slack's escapes (&amp; &lt; &gt;) are undone.
import type { MentionedUser } from '../commands/command-spec.ts';

const mentionPattern = /<@([UW][A-Z0-9]+)(?:\|([^>]*))?>/g;

export interface CommandText {
  text: string;
  mentions: MentionedUser[];
}

export function commandTextOf(raw: string, botUserId: string | null): CommandText {
  const mentions: MentionedUser[] = [];
  const seen = new Set<string>();
  const text = raw
    .replace(mentionPattern, (_whole, id: string, name: string | undefined) => {
      if (id === botUserId) return ' ';
      if (!seen.has(id)) {
        seen.add(id);
        mentions.push({ name: name?.trim() || id, userId: id });
      }
      return ' ';
    })
    // Links and channel mentions Slack wrapped: keep what they show ("<mailto:a@b.c|a@b.c>" → "a@b.c").
    .replace(/<([^>|]+)\|([^>]*)>/g, '$2')
    .replace(/<([^>]+)>/g, '$1')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
  // Keep line breaks (a pasted CSV), tidy the blanks a removed mention leaves.
  return { text: text.replace(/ {2,}/g, ' ').replace(/^ +| +$/gm, '').trim(), mentions };
}
