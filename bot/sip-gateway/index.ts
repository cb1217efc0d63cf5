// The SIP Gateway adapter SIP_GATEWAY names, built once by the entry point (bot/server.ts).
import type { Database } from '../../prisma/store.ts';
import type { Clock } from '../../services/shared/clock.ts';
import type { SipGateway } from '../../services/sip/sip-gateway.ts';
import type { Logger } from '../logger.ts';
import { createPowerShellSipGateway } from './powershell-gateway.ts';
import type { SipConfig } from './sip-config.ts';
import { createSimulatedSipGateway } from './simulated-gateway.ts';

export function createSipGateway(config: SipConfig, db: Database, clock: Clock, log: Logger): SipGateway {
  if (config.gateway === 'powershell') return createPowerShellSipGateway(config.powershell, log);
  return createSimulatedSipGateway(db, clock, config.scenario);
}
