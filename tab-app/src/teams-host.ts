// The tab's link to its Teams host: initialize teams-js (timed out, because outside a Teams
// host app.initialize() never answers), read the theme and follow its changes, and get the
// single sign-on token every API call carries.
import { app, authentication } from '@microsoft/teams-js';

export type TeamsTheme = 'default' | 'dark' | 'contrast';

/** How long to wait for a Teams host before saying the page is not inside Teams. */
export const hostTimeoutMs = 5_000;

export function asTheme(value: string | undefined): TeamsTheme {
  return value === 'dark' || value === 'contrast' ? value : 'default';
}

export type HostState = { kind: 'inTeams'; theme: TeamsTheme } | { kind: 'outsideTeams' };

export async function connectToHost(onTheme: (theme: TeamsTheme) => void): Promise<HostState> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), hostTimeoutMs)));
  try {
    const outcome = await Promise.race([app.initialize().then(() => 'ready' as const), timedOut]);
    if (outcome === 'timeout') return { kind: 'outsideTeams' };
  } catch {
    return { kind: 'outsideTeams' };
  } finally {
    clearTimeout(timer);
  }
  app.registerOnThemeChangeHandler((theme) => onTheme(asTheme(theme)));
  const context = await app.getContext();
  return { kind: 'inTeams', theme: asTheme(context.app.theme) };
}

/** Teams caches the token and renews it before it expires: asking each time is cheap. */
export function ssoToken(): Promise<string> {
  return authentication.getAuthToken();
}
