import { describe, expect, it } from 'vitest';
import { ChannelError } from '../../../../services/notifications/delivery-ports.ts';
import { renderView } from '../../../../bot/teams/render-view.ts';
import { view } from '../../../../bot/views/reply.ts';
import { adaptiveCardContentType, retryAfterMsOf, toChannelError } from '../../../../bot/teams/teams-messenger.ts';
import { toActivity } from '../../../../bot/teams/outgoing.ts';
import type { AdaptiveCard } from '../../../../cards/template-data.ts';

const withHeaders = (headers: Record<string, string>) => ({ response: { headers: { get: (name: string) => headers[name.toLowerCase()] } } });
const now = Date.parse('2026-11-22T09:00:00Z');

describe('retryAfterMsOf', () => {
  it.each([
    ['seconds', { 'retry-after': '3' }, 3_000],
    ['fractional seconds', { 'retry-after': '1.5' }, 1_500],
    ['an HTTP date', { 'retry-after': 'Sun, 22 Nov 2026 09:00:30 GMT' }, 30_000],
    ['an HTTP date already past', { 'retry-after': 'Sun, 22 Nov 2026 08:00:00 GMT' }, 0],
    ['retry-after-ms first', { 'retry-after-ms': '250', 'retry-after': '3' }, 250],
    ['x-ms-retry-after-ms', { 'x-ms-retry-after-ms': '400' }, 400],
    ['nothing', {}, null],
    ['garbage', { 'retry-after': 'soon' }, null],
  ])('reads %s', (_name, headers, expected) => {
    expect(retryAfterMsOf(withHeaders(headers), now)).toBe(expected);
  });

  it('copes with an error without a response', () => {
    expect(retryAfterMsOf({}, now)).toBeNull();
  });
});

describe('toChannelError', () => {
  it('keeps the status and the channel error code of a connector RestError, and nothing of its request', () => {
    const restError = Object.assign(new Error('Bot is not part of the conversation roster. {"text":"code 123456"}'), {
      name: 'RestError',
      statusCode: 403,
      code: 'BotNotInConversationRoster',
      request: { body: '{"text":"code 123456"}' },
    });
    const error = toChannelError(restError, 'post') as ChannelError;
    expect(error).toBeInstanceOf(ChannelError);
    expect(error.status).toBe(403);
    expect(error.permanent).toBe(true);
    expect(error.message).toBe('post: the channel answered 403 (BotNotInConversationRoster)');
  });

  it('turns a 429 with Retry-After into a transient error that says when to come back', () => {
    const error = toChannelError({ name: 'RestError', statusCode: 429, ...withHeaders({ 'retry-after': '2' }) }, 'update') as ChannelError;
    expect(error.retryAfterMs).toBe(2_000);
    expect(error.permanent).toBe(false);
  });

  it('makes an unreachable channel a transient error without status', () => {
    const error = toChannelError({ name: 'RestError', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, 'post') as ChannelError;
    expect(error.status).toBeNull();
    expect(error.permanent).toBe(false);
  });

  it('leaves other errors (bugs) as they are', () => {
    const bug = new TypeError('x is undefined');
    expect(toChannelError(bug, 'post')).toBe(bug);
  });
});

describe('toActivity', () => {
  const shown = view('notice', { title: 'Fallback', text: '', style: 'default' });
  const card: AdaptiveCard = renderView(shown);

  it('sends text as markdown', () => {
    expect(toActivity({ text: '**hi**' })).toEqual({ type: 'message', text: '**hi**', textFormat: 'markdown' });
  });

  it('sends a card alone, summarised by its fallback text', () => {
    expect(toActivity({ view: shown })).toEqual({ type: 'message', summary: 'Fallback', attachments: [{ contentType: adaptiveCardContentType, content: card }] });
  });

  it('puts text given with a card above it', () => {
    expect(toActivity({ view: shown, text: 'New codes' })).toMatchObject({ text: 'New codes', summary: 'Fallback' });
  });
});
