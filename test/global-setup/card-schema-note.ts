// Global setup of the test run: gives the workers one directory to leave a note in when they
// skip the cards' JSON-schema check (no ../shared beside the checkout, and not required), so
// that the run says so once, at its end, instead of once per test file or per card.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { schemaNoteDirVariable, schemaNoteFile } from '../unit/cards/card-schema.ts';

export default function setup(): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), 'provisioning-bot-card-schema-'));
  process.env[schemaNoteDirVariable] = dir;

  return function teardown() {
    const note = path.join(dir, schemaNoteFile);
    if (existsSync(note)) console.warn(`Note: ${readFileSync(note, 'utf8')}`);
    rmSync(dir, { recursive: true, force: true });
  };
}
