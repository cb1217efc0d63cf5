// `sip export`: one row per accepted account of a SIP sign-in list, with its outcome and what to
// do about a failure. Every cell goes through escapeCsvCell (quoted, formula starts defused), so
// a username or a gateway message cannot run as a formula when the file is opened in Excel.
import { escapeCsvCell } from '../../services/devices/code-sheet.ts';
import { explainSipError } from '../../services/sip/error-catalog.ts';
import type { Services } from '../../services/index.ts';

export const sipExportHeader = ['Username', 'HardwareId', 'Status', 'Result', 'Remediation'] as const;

const statusWords: Record<string, string> = { ready: 'Not sent', queued: 'Waiting', running: 'Running', succeeded: 'Succeeded', failed: 'Failed' };

export async function buildSipExport(services: Services, tenantId: string, importId: string): Promise<{ fileName: string; csv: string; rows: number }> {
  const { accounts } = await services.sip.signIn.status(tenantId, importId);
  const rows = accounts.map((account) => {
    const explained = account.status === 'failed' ? explainSipError(account.error ?? '') : null;
    const result = account.status === 'succeeded' ? 'success' : (account.error ?? '');
    const remediation = explained ? (explained.remediation ?? 'Unknown error: see Result, as Microsoft wrote it.') : '';
    return [account.username, account.hardwareId, statusWords[account.status] ?? account.status, result, remediation];
  });
  // The header is written bare (it is ours, and tools match it literally); every value is escaped.
  const csv = '\uFEFF' + `${sipExportHeader.join(',')}\r\n` + rows.map((cells) => `${cells.map(escapeCsvCell).join(',')}\r\n`).join('');
  return { fileName: `sip-sign-in-${importId.slice(-8)}.csv`, csv, rows: rows.length };
}
