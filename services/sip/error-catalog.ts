// Every error the SIP Gateway documents for a bulk sign-in item, mapped to what the admin does
// next. Matched without regard to case on a phrase of Microsoft's text; a text the catalog does
// not know is shown as Microsoft wrote it (remediation null), never dropped.

export interface SipErrorEntry {
  code: string;
  /** Lower-case phrases; the first entry with one of them inside the error text wins. */
  phrases: readonly string[];
  /** What to do next, in one or two sentences. */
  remediation: string;
}

export const sipErrorCatalog: readonly SipErrorEntry[] = [
  { code: 'user_not_found', phrases: ['user not found'], remediation: 'Check the UPN: the account must exist in this tenant (Username column, e.g. lobby-phone1@contoso.com), then "sip retry".' },
  { code: 'missing_phone_number', phrases: ['phone number', 'lineuri', 'no phone'], remediation: 'Assign the account a phone number (Teams admin center → Users → account → Phone number), then "sip retry".' },
  { code: 'missing_calling_policy', phrases: ['allowsipdevicescalling', 'calling policy'], remediation: 'Assign a calling policy with AllowSIPDevicesCalling set to True (Set-CsTeamsCallingPolicy -AllowSIPDevicesCalling $true), then "sip retry".' },
  { code: 'missing_ip_phone_policy', phrases: ['commonareaphone', 'ip phone policy', 'ipphonepolicy'], remediation: 'Assign an IP phone policy with SignInMode CommonAreaPhoneSignIn to the account (New-CsTeamsIPPhonePolicy / Grant-CsTeamsIPPhonePolicy), then "sip retry".' },
  { code: 'bulk_sign_in_tag_missing', phrases: ['bulksignin tag', 'bulk sign in tag', 'bulksignin'], remediation: 'The device was provisioned without the tenant id: set its provisioning URL to the one "sip urls" gives (ending /tenantid/<tenant id>), factory reset it, and onboard it again.' },
  { code: 'device_not_found', phrases: ['device not found', 'device is not found', 'hardware id not found', 'hardwareid not found'], remediation: 'The device is not onboarded to the SIP Gateway, or in another region: check it points at the region\'s provisioning URL ("sip urls") and shows the Teams sign-in screen, and that the account\'s Region matches.' },
  { code: 'device_offline', phrases: ['offline'], remediation: 'Power the device on and check it reaches the network (it must show the Teams sign-in screen), then "sip retry".' },
  { code: 'not_trusted_ip', phrases: ['trusted ip', 'public ip'], remediation: 'Add the site\'s public IP address to the tenant\'s Trusted IPs (Teams admin center → Voice → Network topology); it takes up to 24 h to apply, then "sip retry".' },
  { code: 'deadline_expired', phrases: ['expired', 'time limit', 'timed out window'], remediation: 'Deadline expired: factory reset the device and onboard it again, then sign it in within 72 hours.' },
  { code: 'duplicate_devices', phrases: ['duplicate device'], remediation: 'The same HardwareId is in the list twice: keep one row per device, then "sip retry".' },
  { code: 'wrong_hardware_id_format', phrases: ['hardware-id is of wrong format', 'hardware id is of wrong format', 'wrong format'], remediation: 'Write the HardwareId as a MAC (1A-2B-3C-D4-E5-F6) or an ATA port (1A-2B-3C-D4-E5-F6:001), then import again.' },
  { code: 'onprem_ad_throttled', phrases: ['throttl'], remediation: 'On-premises Active Directory is throttling the sign-ins: retry with a smaller batch ("sip retry size 20").' },
  { code: 'onprem_ad_failure', phrases: ['on-prem', 'on-premises', 'onprem', 'active directory'], remediation: 'The on-premises Active Directory configuration failed for this account: check the account syncs (Entra Connect) and is enabled on-premises, then "sip retry".' },
  { code: 'password_writeback_failure', phrases: ['password write', 'writeback', 'write-back'], remediation: 'Password write-back failed: enable password write-back in Entra Connect (account options) or allow the account to change its password, then "sip retry".' },
];

export interface SipErrorExplained {
  /** Catalog code, or "unknown". */
  code: string;
  /** Microsoft's text as it came. */
  text: string;
  remediation: string | null;
}

export function explainSipError(text: string): SipErrorExplained {
  const lower = text.toLowerCase();
  const entry = sipErrorCatalog.find((candidate) => candidate.phrases.some((phrase) => lower.includes(phrase)));
  return entry ? { code: entry.code, text, remediation: entry.remediation } : { code: 'unknown', text, remediation: null };
}
