// The one permission table: every operation a person can start, through any door (a chat
// command, a card button, a dialog submit, and later Slack and the fleet tab), and the roles
// allowed to start it. Admins may do everything. Doors never list roles themselves: they name
// the operation, and `authorize` decides.
import { DomainError } from '../shared/errors.ts';
import { describePermission, isAllowed, type Permission, type Role } from './role.ts';

export const permissionTable = {
  /** See what the bot can do, and who it thinks you are. */
  help: 'anyone',
  whoami: 'anyone',
  /** Answer a confirmation question; the confirmed operation is checked again on its own. */
  answerConfirmation: 'anyone',
  register: ['admin'],
  import: ['admin'],
  issueCodes: ['admin'],
  signIn: ['admin'],
  setup: ['admin'],
  grant: ['admin'],
  revoke: ['admin'],
  listDevices: ['technician', 'manager'],
  viewDevice: ['technician', 'manager'],
  exportDevices: ['technician', 'manager'],
  exportCodes: ['technician'],
  markInstalled: ['technician'],
  reportProblem: ['technician'],
  listRoles: ['admin', 'manager'],
  digest: ['manager'],
  jobs: ['admin', 'manager'],
  /** Set (and see) the tenant's and each location's time zone. */
  setTimeZone: ['admin'],
  /** Clear a device's lockout after wrong verification codes. */
  unlock: ['admin'],
  /** Assign technicians to locations (their hand-off cards by direct message), and list them. */
  assignLocations: ['admin'],
  /** Plan the shared account each device signs in with (register … account, Account column, `accounts`), and list them. */
  planAccounts: ['admin'],
  /** Turn the tenant's auto sign-in (sign-in requested as devices with a planned account come online) on or off. */
  setAutoSignIn: ['admin'],
  /** SIP Gateway bulk sign-in (`sip`): see where sign-ins stand, the provisioning URLs and the checklist. */
  sipView: ['admin', 'manager'],
  /** Import a SIP sign-in list (`sip import`), and record when its devices were onboarded. */
  sipImport: ['admin'],
  /** Send SIP accounts to the gateway (`sip signin`, `sip retry`). */
  sipSignIn: ['admin'],
  /** Export a SIP sign-in list's results (`sip export`). */
  sipExport: ['admin', 'manager'],
  /** The tenant's SIP regions and prerequisites checklist (`sip region`, `sip check done`). */
  sipSettings: ['admin'],
  /** Link a Slack workspace to this tenant (issue a link code in Teams, enter it in Slack). */
  linkWorkspace: ['admin'],
  /** See firmware readiness of the fleet and of a device (`firmware`). */
  viewFirmware: ['technician', 'manager'],
  /** Add firmware releases, import a catalog, set update phases (`firmware release|import|phase`). */
  manageFirmware: ['admin'],
  /** Update devices remotely, cancel, pause and resume updates. */
  updateDevices: ['admin'],
  /** See pending, running, done and failed updates (`updates`). */
  listUpdates: ['technician', 'manager'],
} as const satisfies Record<string, Permission>;

export type Operation = keyof typeof permissionTable;

export const operations = Object.freeze(Object.keys(permissionTable) as Operation[]);

/** Who may start the operation, from the table. */
export function permissionFor(operation: Operation): Permission {
  return permissionTable[operation];
}

/** Whether roles held in a tenant allow the operation. */
export function can(held: ReadonlySet<Role>, operation: Operation): boolean {
  return isAllowed(held, permissionFor(operation));
}

/** "the admin role", "one of the roles admin, technician": who may, in words. */
export function whoMay(operation: Operation): string {
  return describePermission(permissionFor(operation));
}

/** Throws the user-facing refusal when the roles do not allow the operation. */
export function authorize(held: ReadonlySet<Role>, operation: Operation, what: string): void {
  if (!can(held, operation)) {
    throw new DomainError('forbidden', `${what} needs ${whoMay(operation)}, which you don't have here. Ask an admin to grant it: "grant ROLE @you".`);
  }
}
