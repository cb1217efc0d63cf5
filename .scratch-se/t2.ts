import pg from 'pg';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { openSchemaEngine, readMigrations } from '../prisma/schema-engine.ts';
import { schemaFor, migrationsDirFor } from '../prisma/schemas.ts';
const admin = 'postgres://provisioning:provisioning@127.0.0.1:5432/postgres';
const db = 'scratch_' + Date.now();
const c = new pg.Client(admin); await c.connect(); await c.query(`CREATE DATABASE ${db}`);
const tmp = mkdtempSync(os.tmpdir() + '/mig-');
const mode = process.argv[2];
try {
for (const [provider, url] of [['sqlite', `file:${tmp}/dev.db`], ['postgresql', `postgres://provisioning:provisioning@127.0.0.1:5432/${db}`]] as const) {
  const dm = schemaFor(provider);
  const s = await openSchemaEngine({ provider, url, datamodel: dm, onLog: (l) => { if (!l.includes('"INFO"')) console.error('LOG', l); } });
  const list = readMigrations(migrationsDirFor(provider));
  const t0 = Date.now();
  if (mode === 'nocreate') {
    console.log('apply-empty', await s.applyMigrations({...list, migrationDirectories: []}));
    try { const cm = await s.createMigration('x', list); console.log(provider, 'createMigration without apply ->', cm.migrationScript?.slice(0, 60)); } catch (e) { console.log(provider, 'createMigration without apply failed:', String(e).slice(0, 300)); }
  } else {
    console.log(provider, 'apply', await s.applyMigrations(list), Date.now() - t0);
    console.log('apply-empty-again', await s.applyMigrations({...list, migrationDirectories: []}));
    const d = await s.diff({tag:'schemaDatasource', files:[{path:'schema.prisma',content:dm}], configDir: tmp}, s.targets.datamodel());
    console.log(provider, 'url->datamodel', d.exitCode, JSON.stringify(d.stdout));
    const d2 = await s.diff(s.targets.migrations(list), s.targets.datamodel());
    console.log(provider, 'migrations->datamodel', d2.exitCode, JSON.stringify(d2.stdout), Date.now() - t0);
    const cm = await s.createMigration('x', list); console.log(provider, 'createMigration ->', cm.migrationScript);
  }
  await s.close();
}
} catch (e) { console.log("ERR", String(e).slice(0,300)); throw e; } finally {
await c.query(`DROP DATABASE ${db}`); await c.end();
}
