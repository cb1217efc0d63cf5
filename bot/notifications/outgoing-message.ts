// What the notification planner hands a platform's messenger: a neutral view (each messenger
// renders it: Teams as an Adaptive Card), or text alone. The delivery engine
// (services/notifications/outbox-delivery.ts) never looks inside it; these are its ports
// instantiated with this message.
import type { View } from '../views/reply.ts';
import type {
  ChatMessenger as MessengerPort,
  NotificationPlanner as PlannerPort,
  PlannedDelivery as PlannedDeliveryOf,
} from '../../services/notifications/delivery-ports.ts';

export type OutgoingMessage = { text: string; view?: undefined } | { view: View; text?: string };

export type PlannedDelivery = PlannedDeliveryOf<OutgoingMessage>;
export type NotificationPlanner = PlannerPort<OutgoingMessage>;
export type ChatMessenger = MessengerPort<OutgoingMessage>;
