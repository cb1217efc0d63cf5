// The fleet tab's page: GET /tab/ (the HTML) and /tab/app.js (the bundle tab-app/build.ts
// makes), under a Content-Security-Policy that lets only Microsoft's documented hosts frame it
// and runs only our own script.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Request, Response, Server } from 'restify';
import { ensureTabBundle, tabBundlePath } from '../../tab-app/build.ts';

/**
 * Who may frame a tab, as Microsoft documents it for Teams, Microsoft 365 and Outlook
 * (learn.microsoft.com/microsoftteams/platform/tabs/how-to/tab-requirements), plus 'self'
 * (a page of this server, as the browser test's host page is).
 */
export const tabFrameAncestors = [
  'https://*.cloud.microsoft',
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  'https://*.microsoft365.com',
  'https://*.office.com',
  'https://outlook.office.com',
  'https://outlook.office365.com',
  'https://outlook-sdf.office.com',
  'https://outlook-sdf.office365.com',
] as const;

/**
 * Styles: Fluent UI injects <style> tags at run time, so inline styles are allowed (scripts
 * are not). connect-src: our API, and the CDN where teams-js reads the current list of Teams'
 * origins (it falls back to a built-in list when that fails).
 */
export const tabContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self' https://res.cdn.office.net",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  `frame-ancestors 'self' ${tabFrameAncestors.join(' ')}`,
].join('; ');

const indexPath = join(import.meta.dirname, '..', '..', 'tab-app', 'index.html');

/** The HTML, with the Teams app id the page links to when opened outside Teams. */
async function pageHtml(teamsAppId: string): Promise<Buffer> {
  const template = await readFile(indexPath, 'utf8');
  const escaped = teamsAppId.replace(/[^0-9a-zA-Z-]/g, '');
  return Buffer.from(template.replace('%TEAMS_APP_ID%', escaped), 'utf8');
}

export async function registerTabPage(server: Server, options: { teamsAppId: string }): Promise<void> {
  // Built at install; rebuilt here when the sources changed since (a checkout, an edit).
  await ensureTabBundle();
  const send = async (res: Response, body: Buffer, type: string, cache: string) => {
    res.writeHead(200, {
      'content-type': type,
      'content-length': body.byteLength,
      'content-security-policy': tabContentSecurityPolicy,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': cache,
    });
    res.end(body);
  };
  server.get('/tab', async (_req: Request, res: Response) => {
    res.header('location', '/tab/');
    res.send(301);
  });
  server.get('/tab/', async (_req: Request, res: Response) => send(res, await pageHtml(options.teamsAppId), 'text/html; charset=utf-8', 'no-cache'));
  server.get('/tab/app.js', async (_req: Request, res: Response) => send(res, await readFile(tabBundlePath), 'text/javascript; charset=utf-8', 'no-cache'));
}
