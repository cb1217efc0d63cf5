// What must be true before a SIP Gateway bulk sign-in can work (`sip check`). The admin ticks
// each (`sip check done trusted-ips`), a dated claim; the gateway reports what it proves (an
// accepted batch proves the runner's role), stored as "gateway:<time>".

export interface SipCheck {
  id: string;
  title: string;
  how: string;
}

export const sipChecks: readonly SipCheck[] = [
  { id: 'trusted-ips', title: 'Trusted IPs set at least 24 h before', how: 'Teams admin center → Locations → Network topology → Trusted IPs: add each site\'s public IP, a day before signing in.' },
  { id: 'bulk-sign-in', title: 'BulkSignIn enabled', how: 'The phones\' provisioning URL ends with /tenantid/<tenant id> ("sip urls"): that tags them for bulk sign-in.' },
  { id: 'ip-phone-policy', title: 'CommonAreaPhone IP phone policy', how: 'Grant the accounts an IP phone policy with SignInMode CommonAreaPhoneSignIn.' },
  { id: 'no-mfa', title: 'No MFA on the accounts', how: 'Exclude the phone accounts from MFA (Conditional Access), or the sign-in stops at a prompt no phone can answer.' },
  { id: 'phone-numbers', title: 'Phone numbers assigned', how: 'Every account has a phone number (Teams admin center → Users).' },
  { id: 'calling-policy', title: 'Calling policy allows SIP devices', how: 'The accounts\' calling policy has AllowSIPDevicesCalling set to True.' },
  { id: 'runner-role', title: 'The runner\'s role', how: 'Whoever runs the sign-in (the bot\'s app) holds Teams Administrator, Teams Communications Administrator or Teams Devices Administrator.' },
];
