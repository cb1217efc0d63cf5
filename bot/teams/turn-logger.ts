// Each turn logs through the logger of the HTTP request that carried it (with its request id).
import type { TurnContext } from 'botbuilder';
import type { Logger } from '../logger.ts';

const loggerKey = Symbol('turnLogger');

export function setTurnLogger(context: TurnContext, log: Logger): void {
  context.turnState.set(loggerKey, log);
}

export function turnLogger(context: TurnContext): Logger {
  const log = context.turnState.get(loggerKey) as Logger | undefined;
  if (!log) throw new Error('no logger for this turn: the chat adapter sets one before the bot runs');
  return log;
}
