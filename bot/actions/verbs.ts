// Every card-button verb in one place: the Teams card templates (cards/*.json) and the views
// carry these strings, and bot/actions/ registers one handler per verb.
export const verbs = {
  /** Awaiting sign-in card: start the remote sign-in. data { mac }, input "account". */
  signIn: 'device.signIn',
  /** Sign-in card after the login code lapsed: ask the device for a fresh one. data { mac } */
  refreshSignIn: 'device.refreshSignIn',
  /** Sign-in queue card: the admin signed this device in at the portal. data { mac } */
  signInQueueDone: 'signin.queueDone',
  /** Any card: show the device's status card. data { mac } */
  showStatus: 'device.status',
  /** Hand-off card: a technician marks a device installed. data { batchId }, input "mac", "note" */
  markInstalled: 'handoff.installed',
  /** Hand-off card: a technician reports a problem. data { batchId }, inputs "mac", "note" */
  reportProblem: 'handoff.problem',
  /** Confirmation card: go ahead. data { command, args, expiresAt } */
  confirm: 'confirm.yes',
  /** Confirmation card: never mind. data { command } */
  cancel: 'confirm.no',
  /** Expiry warning card: new codes for the batch's devices at the location still waiting on activation (admins). data { batchId, location } */
  regenerateCodes: 'codes.regenerate',
} as const;

export type Verb = (typeof verbs)[keyof typeof verbs];
