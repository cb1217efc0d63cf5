// GET /exports/<token>: the file behind an export link (bot/exports/export-links.ts). The token is
// the only credential: it names the tenant and the kind of export and lapses after 15 minutes.
import type { Request, Response, Server } from 'restify';
import type { Services } from '../../services/index.ts';
import type { Logger } from '../logger.ts';
import { buildExport } from './export-files.ts';
import type { ExportLinks } from './export-links.ts';

export function registerExportRoutes(server: Server, links: ExportLinks, services: Services, logFor: (req: Request) => Logger): void {
  // A wildcard, not ":token": the router refuses parameters over 100 characters, and a token
  // naming a tenant is longer.
  server.get('/exports/*', async (req: Request, res: Response) => {
    res.header('Cache-Control', 'no-store');
    res.header('X-Content-Type-Options', 'nosniff');
    const checked = links.check(String((req.params as Record<string, unknown>)['*'] ?? ''));
    if (!checked.ok) {
      logFor(req).info({ reason: checked.reason }, 'export link refused');
      if (checked.reason === 'expired') {
        res.send(410, { code: 'expired', message: 'This export link has expired (links last 15 minutes). Run "export" again for a new one.' });
      } else {
        res.send(404, { code: 'not_found', message: 'This is not an export link of this bot. Run "export" in chat for one.' });
      }
      return;
    }
    const file = await buildExport(services, checked.tenantId, checked.kind);
    logFor(req).info({ tenantId: checked.tenantId, kind: checked.kind, rows: file.rows }, 'export downloaded');
    const body = Buffer.from(file.csv, 'utf8');
    res.writeHead(200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${file.fileName}"`,
      'Content-Length': String(body.length),
    });
    res.end(body);
  });
}
