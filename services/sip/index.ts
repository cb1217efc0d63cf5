// SIP Gateway bulk sign-in (issue 15): the domain side. The gateway itself is a port
// (sip-gateway.ts) whose adapters live in bot/sip-gateway/ and are chosen by SIP_GATEWAY.
import type { Database } from '../../prisma/store.ts';
import type { Clock } from '../shared/clock.ts';
import { SipGatewayError, type SipGateway } from './sip-gateway.ts';
import { createSipDeadlines, type SipDeadlines } from './sip-deadlines.ts';
import { createSipSettings, type SipSettings } from './sip-settings.ts';
import { createSipSignIn, type SipSignIn } from './sip-sign-in.ts';

export interface SipServices {
  gateway: SipGateway;
  signIn: SipSignIn;
  settings: SipSettings;
  deadlines: SipDeadlines;
}

/** Without a configured adapter (services built by a tool or a test that needs no SIP): every call says so. */
const noGateway: SipGateway = {
  name: 'none',
  answersQuickly: true,
  submit: () => Promise.reject(new SipGatewayError('unavailable', 'No SIP Gateway adapter is configured (SIP_GATEWAY).')),
  status: () => Promise.reject(new SipGatewayError('unavailable', 'No SIP Gateway adapter is configured (SIP_GATEWAY).')),
};

export function createSipServices(db: Database, clock: Clock, gateway: SipGateway = noGateway): SipServices {
  return { gateway, signIn: createSipSignIn(db, clock, gateway), settings: createSipSettings(db, clock), deadlines: createSipDeadlines(db, clock) };
}
