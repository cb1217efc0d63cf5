// What the notification planner hands the Teams messenger today: markdown text, or an Adaptive
// Card. The delivery engine (services/notifications/outbox-delivery.ts) never looks inside it;
// these are its ports instantiated with this message.
import type { AdaptiveCard } from '../../cards/views.ts';
import type {
  ChatMessenger as MessengerPort,
  NotificationPlanner as PlannerPort,
  PlannedDelivery as PlannedDeliveryOf,
} from '../../services/notifications/delivery-ports.ts';

export type OutgoingMessage = { text: string; card?: undefined } | { card: AdaptiveCard; text?: string };

export type PlannedDelivery = PlannedDeliveryOf<OutgoingMessage>;
export type NotificationPlanner = PlannerPort<OutgoingMessage>;
export type ChatMessenger = MessengerPort<OutgoingMessage>;
