import pg from 'pg';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { openSchemaEngine, readMigrations } from '/work/main/prisma/schema-engine.ts';
import { schemaFor } from '/work/main/prisma/schemas.ts';
const admin = 'postgres://provisioning:provisioning@127.0.0.1:5432/postgres';
const db = 'scratch_' + Date.now();
const c = new pg.Client(admin); await c.connect(); await c.query(`CREATE DATABASE ${db}`);
const emptyDir = mkdtempSync(os.tmpdir() + '/mig-');
for (const [provider, url] of [['sqlite', `file:${emptyDir}/dev.db`], ['postgresql', `postgres://provisioning:provisioning@127.0.0.1:5432/${db}`]] as const) {
  const dm = schemaFor(provider);
  const s = await openSchemaEngine({ provider, url, datamodel: dm, onLog: (l) => console.error('LOG', l) });
  const t0 = Date.now();
  const d = await s.diff(s.targets.empty, s.targets.datamodel());
  console.error(provider, 'diff exit', d.exitCode, Date.now() - t0);
  const list = readMigrations(emptyDir + '/migrations');
  try { console.error('apply', await s.applyMigrations(list)); } catch (e) { console.error('apply err', e); }
  const t1 = Date.now();
  const cm = await s.createMigration('init', list);
  console.error(provider, 'createMigration', cm.generatedMigrationName, cm.connectorType, cm.extension, Date.now() - t1);
  const fs = await import('node:fs');
  fs.writeFileSync(`/tmp/se/${provider}.diff.sql`, d.stdout ?? '');
  fs.writeFileSync(`/tmp/se/${provider}.create.sql`, cm.migrationScript ?? '');
  await s.close();
}
await c.query(`DROP DATABASE ${db}`); await c.end();
console.error('done');
