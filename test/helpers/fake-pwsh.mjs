#!/usr/bin/env node
// A stand-in for PowerShell 7 with the MicrosoftTeams module, for the SIP Gateway adapter's tests
// (PowerShell cannot be installed here). It reads the script from stdin as pwsh -Command - does,
// checks it imports the module and connects with a certificate, and answers New-CsSdgBulkSignInRequest
// and Get-CsSdgBulkSignInRequestStatus the way the module does through ConvertTo-Json -Compress:
// PascalCase fields, statuses in varying case, fields the bot does not know. What it saw (its
// arguments, the CSV file's mode) is appended to $FAKE_PWSH_STATE/calls.jsonl for the test.
// FAKE_PWSH_MODE: ok (default) | access-denied | throttled | hang | garbage | crash.
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';

const state = process.env.FAKE_PWSH_STATE;
const mode = process.env.FAKE_PWSH_MODE ?? 'ok';
const failures = JSON.parse(process.env.FAKE_PWSH_FAILURES ?? '{}');

let script = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => (script += chunk));
process.stdin.on('end', () => main());

function answer(value) {
  process.stdout.write('WARNING: The names of some imported commands from the module include unapproved verbs.\n');
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function main() {
  const call = { argv: process.argv.slice(2), cmdlet: /New-CsSdgBulkSignInRequest/.test(script) ? 'new' : /Get-CsSdgBulkSignInRequestStatus/.test(script) ? 'get' : 'other' };
  if (!/Import-Module MicrosoftTeams -MinimumVersion 5\.6\.0/.test(script) || !/Connect-MicrosoftTeams/.test(script)) {
    answer({ ok: false, error: 'The term was not recognized: the script neither imports MicrosoftTeams 5.6.0 nor connects.' });
    return;
  }
  const connectsWithCertificate = (process.env.SDG_CERT_THUMBPRINT || process.env.SDG_CERT_FILE) && process.env.SDG_APP_ID && process.env.SDG_TENANT_ID;
  if (!connectsWithCertificate) {
    answer({ ok: false, error: 'Connect-MicrosoftTeams: no certificate, application id or tenant id.' });
    return;
  }
  if (mode === 'hang') {
    setTimeout(() => {}, 60_000);
    return;
  }
  if (mode === 'crash') process.exit(1);
  if (mode === 'garbage') {
    process.stdout.write('this is not JSON\n');
    return;
  }
  if (mode === 'access-denied') {
    answer({ ok: false, error: 'Access Denied.' });
    return;
  }
  if (mode === 'throttled') {
    answer({ ok: false, error: 'On-premises AD is throttling requests. Retry with a smaller batch.' });
    return;
  }
  if (call.cmdlet === 'new') {
    const csvPath = process.env.SDG_CSV_PATH;
    call.csvMode = (statSync(csvPath).mode & 0o777).toString(8);
    call.dirMode = (statSync(path.dirname(csvPath)).mode & 0o777).toString(8);
    const lines = readFileSync(csvPath, 'utf8').trim().split(/\r?\n/);
    call.header = lines[0];
    const items = lines.slice(1).map((line) => {
      const [username, hardwareId] = line.split(',');
      return { username, hardwareId };
    });
    const batchId = randomUUID();
    writeFileSync(path.join(state, `${batchId}.json`), JSON.stringify({ region: process.env.SDG_REGION, items }));
    appendFileSync(path.join(state, 'calls.jsonl'), `${JSON.stringify(call)}\n`);
    answer({ ok: true, result: { BatchId: batchId, Region: process.env.SDG_REGION } });
    return;
  }
  if (call.cmdlet === 'get') {
    appendFileSync(path.join(state, 'calls.jsonl'), `${JSON.stringify(call)}\n`);
    const file = path.join(state, `${process.env.SDG_BATCH_ID}.json`);
    if (!existsSync(file)) {
      answer({ ok: false, error: `Batch ${process.env.SDG_BATCH_ID} not found.` });
      return;
    }
    const { items } = JSON.parse(readFileSync(file, 'utf8'));
    const batchItems = items.map((item) => ({
      Username: item.username,
      HardwareId: item.hardwareId,
      Status: failures[item.hardwareId] ? 'FAILED' : 'success',
      ErrorMessage: failures[item.hardwareId] ?? '',
      DeviceModel: 'VVX 450',
    }));
    // One item alone is an object, not an array, as ConvertTo-Json writes a single-element list.
    answer({ ok: true, result: { BatchId: process.env.SDG_BATCH_ID, BatchStatus: 'COMPLETED', BatchItem: batchItems.length === 1 ? batchItems[0] : batchItems } });
    return;
  }
  answer({ ok: false, error: 'unknown script' });
}
