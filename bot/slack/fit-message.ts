// Slack takes at most 50 blocks in a message. A rendered reply longer than that is posted as
// several messages, each saying which part it is, and the reader is told so at the top; a
// message updated in place (chat.update) can only be one, so it is cut with a line saying
// what to type for the rest. Hand-off cards never get there: the planner pages them (20
// devices a card: bot/views/handoff-pages.ts), which Block Kit draws in well under 50 blocks.
import { blockKitLimits, context, type SlackBlock, type SlackMessage } from './block-kit.ts';

const perPart = blockKitLimits.blocksPerMessage - 1;

/** The message as one or more messages of at most 50 blocks, in order. */
export function splitMessage(message: SlackMessage): SlackMessage[] {
  if (message.blocks.length <= blockKitLimits.blocksPerMessage) return [message];
  const parts: SlackBlock[][] = [];
  for (let start = 0; start < message.blocks.length; start += perPart) parts.push(message.blocks.slice(start, start + perPart));
  return parts.map((blocks, index) => {
    const note = index === 0 ? `Too long for one Slack message: this is part 1 of ${parts.length}; the rest follows in ${parts.length - 1} more.` : `Part ${index + 1} of ${parts.length}.`;
    return { text: index === 0 ? `${message.text} (part 1 of ${parts.length})` : `${message.text} (part ${index + 1} of ${parts.length})`, blocks: [...context([note]), ...blocks] };
  });
}

/** The message as one message of at most 50 blocks (for chat.update), cut with a note when longer. */
export function oneMessage(message: SlackMessage, rest = 'Type `/provision status` for the rest.'): SlackMessage {
  if (message.blocks.length <= blockKitLimits.blocksPerMessage) return message;
  return { text: message.text, blocks: [...message.blocks.slice(0, perPart), ...context([`Too long for one Slack message: the rest is not shown here. ${rest}`])] };
}
