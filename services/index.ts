// Wires the domain services over one store. Every entry point (chat, device API, jobs, CLI,
// tests) gets its services from here, so they all apply the same rules.
import type { Database } from '../prisma/store.ts';
import { createConversationService, type ConversationService } from './conversations/conversation-service.ts';
import type { PrincipalId } from './auth/principal.ts';
import { createRolesService, type RolesService } from './auth/roles-service.ts';
import { createLocationAssignments, type LocationAssignments } from './auth/location-assignments.ts';
import { createDeviceServices, type DeviceServices } from './devices/index.ts';
import type { Clock } from './shared/clock.ts';
import { createKeyedHasher } from './shared/keyed-hash.ts';
import { createSealedBox } from './shared/sealed-box.ts';
import { createPostedCards, type PostedCards } from './notifications/posted-cards.ts';
import { createPlanningReads, type PlanningReads } from './notifications/planning-reads.ts';
import { createTenants, type Tenants } from './tenants.ts';
import { createTimeZones, type TimeZones } from './time-zones.ts';
import { createHandledActivities, type HandledActivities } from './conversations/handled-activities.ts';
import { createMaintenance, type Maintenance } from './maintenance.ts';
import { createReporting, type Reporting } from './reporting/index.ts';
import { createSipServices, type SipServices } from './sip/index.ts';
import type { SipGateway } from './sip/sip-gateway.ts';
import { createWorkspaceLinks, type WorkspaceLinks } from './auth/workspace-links.ts';
import { createFirmware, type BelowMinimumPolicy, type Firmware } from './firmware/firmware-service.ts';
import { createUpdates, type Updates } from './firmware/updates.ts';
import { createUpdatePlanner, type UpdatePlanner } from './firmware/update-planner.ts';

export interface ServiceSettings {
  /** How long a verification code is valid. */
  codeTtlMs: number;
  /** The server secret that codes and device tokens are hashed with (keyed hash). */
  codeHashSecret: string;
  /**
   * The bootstrap admins, admins in every tenant: Teams principals from ADMIN_USER_IDS (Entra
   * object ids); each platform's door adds its own (e.g. Slack user ids).
   */
  bootstrapAdmins: readonly PrincipalId[];
  /** Lead times of expiry warnings, in minutes (default 4 h and 1 h). */
  codeWarningLeadsMinutes?: readonly number[];
  /** How long waiting for sign-in counts as stuck (default 24 h). */
  staleAfterMs?: number;
  /** The SIP Gateway adapter (SIP_GATEWAY), built by the entry point. */
  sipGateway?: SipGateway;
  /** FIRMWARE_BELOW_MINIMUM (default warn). */
  firmwareBelowMinimum?: BelowMinimumPolicy;
}

export interface Services {
  clock: Clock;
  /** The settings replies quote (e.g. how long a code is valid). */
  settings: { codeTtlMs: number };
  conversations: ConversationService;
  devices: DeviceServices;
  roles: RolesService;
  /** Technicians assigned to locations: their hand-off cards by direct message (`assign`). */
  assignments: LocationAssignments;
  tenants: Tenants;
  /** The tenant's and each site's time zone (`timezone`). */
  timeZones: TimeZones;
  postedCards: PostedCards;
  /** What the notification planner reads about a delivery run's devices, for all of them at once. */
  planningReads: PlanningReads;
  handledActivities: HandledActivities;
  reporting: Reporting;
  /** SIP Gateway bulk sign-in of SIP phones (`sip …`). */
  sip: SipServices;
  /** Which tenant a Slack workspace acts in (`link slack`, `link <code>`). */
  workspaceLinks: WorkspaceLinks;
  /** The firmware catalog, readiness, inventory (`firmware`) and remote updates (`update`). */
  firmware: Firmware & { updates: Updates; planner: UpdatePlanner };
  /** The store's upkeep (the query planner's statistics), run by the housekeeping job. */
  maintenance: Maintenance;
}

function withUpdates(db: Database, clock: Clock, firmware: Firmware): Services['firmware'] {
  const updates = createUpdates(db, clock, firmware);
  return { ...firmware, updates, planner: createUpdatePlanner(db, firmware, updates) };
}

export function createServices({ db, clock, settings }: { db: Database; clock: Clock; settings: ServiceSettings }): Services {
  const firmware = createFirmware(db, clock, { belowMinimum: settings.firmwareBelowMinimum ?? 'warn' });
  const tenants = createTenants(db);
  return {
    clock,
    settings: { codeTtlMs: settings.codeTtlMs },
    conversations: createConversationService(db, clock),
    devices: createDeviceServices(db, clock, createKeyedHasher(settings.codeHashSecret), createSealedBox(settings.codeHashSecret, 'handoff-codes'), {
      codeTtlMs: settings.codeTtlMs,
      ...(settings.codeWarningLeadsMinutes ? { codeWarningLeadsMinutes: settings.codeWarningLeadsMinutes } : {}),
      ...(settings.staleAfterMs ? { staleAfterMs: settings.staleAfterMs } : {}),
      provisionGate: firmware.provisionGate,
    }),
    roles: createRolesService(db, clock, settings.bootstrapAdmins),
    assignments: createLocationAssignments(db, clock),
    tenants,
    timeZones: createTimeZones(db, tenants.forgetProfile),
    postedCards: createPostedCards(db),
    planningReads: createPlanningReads(db),
    handledActivities: createHandledActivities(db),
    reporting: createReporting(db, clock),
    sip: createSipServices(db, clock, settings.sipGateway),
    workspaceLinks: createWorkspaceLinks(db, clock, createKeyedHasher(settings.codeHashSecret)),
    firmware: withUpdates(db, clock, firmware),
    maintenance: createMaintenance(db),
  };
}
