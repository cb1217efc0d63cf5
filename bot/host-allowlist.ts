// Which hosts the bot talks to on a request's say-so: the channel's serviceUrl (where replies
// and cards are posted) and the download URL of an attached file. Both come from the request
// body, so without a list anyone who can reach /api/messages could make the bot post codes to,
// or fetch from, any address. A pattern is a host name ("smba.trafficmanager.net") or a
// wildcard for its subdomains ("*.botframework.com": any name ending in ".botframework.com").

/** Microsoft's Bot Framework channel hosts: Teams (public cloud, GCC, GCC High, DoD) and the other Azure Bot Service channels. */
export const defaultServiceUrlHosts = [
  'smba.trafficmanager.net',
  'smba.infra.gcc.teams.microsoft.com',
  'smba.infra.gov.teams.microsoft.us',
  'smba.infra.dod.teams.microsoft.us',
  '*.botframework.com',
  '*.botframework.azure.us',
] as const;

/** Where Teams keeps files sent to a bot (OneDrive and SharePoint, commercial and government clouds). */
export const defaultFileDownloadHosts = ['*.sharepoint.com', '*.sharepoint.us', '*.sharepoint-mil.us', '*.sharepoint.cn'] as const;

/** "a.com, *.b.com" → ["a.com", "*.b.com"] (lower case, blanks dropped); null when one is not a host pattern. */
export function parseHostPatterns(text: string): string[] | null {
  const patterns = text
    .split(',')
    .map((pattern) => pattern.trim().toLowerCase())
    .filter((pattern) => pattern !== '');
  const valid = patterns.length > 0 && patterns.every((pattern) => /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(pattern));
  return valid ? patterns : null;
}

/** True when `url` is an http(s) URL whose host one of the patterns names. */
export function urlHostAllowed(url: string, patterns: readonly string[]): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  // A user name in the URL ("https://smba.trafficmanager.net@evil.example/") is no host of ours.
  if (parsed.username !== '' || parsed.password !== '') return false;
  const host = parsed.hostname.toLowerCase().replace(/\.$/, '');
  return patterns.some((pattern) => (pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1 : host === pattern));
}

/** The host of a URL for a message or log line ("" when it is not a URL). */
export function hostOf(url: string): string {
  return URL.canParse(url) ? new URL(url).hostname : '';
}
