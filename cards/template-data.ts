// The data the Adaptive Card templates in cards/ are filled from: a view's data (bot/views/
// view-data.ts) with its Instants formatted as text for the reader's zone. Only the Teams
// renderer (bot/teams/render-view.ts) and the card tests use these.
import type { Instant } from '../bot/views/reply.ts';
import type { ViewData } from '../bot/views/view-data.ts';

export type { Style } from '../bot/views/view-data.ts';

/** An Adaptive Card (schema 1.5) as Teams receives it. */
export type AdaptiveCard = { type: 'AdaptiveCard'; version: '1.5'; fallbackText: string } & Record<string, unknown>;

/** A view's data as a template reads it: every Instant as formatted text. */
export type TemplateData<T> = T extends Instant
  ? string
  : T extends readonly (infer Item)[]
    ? TemplateData<Item>[]
    : T extends object
      ? { [K in keyof T]: TemplateData<T[K]> }
      : T;

/** The views that have a template of their own (the others are drawn from building blocks). */
export type CardName = Exclude<keyof ViewData, 'blocks' | 'form'>;

export type CardViews = { [K in CardName]: TemplateData<ViewData[K]> };
