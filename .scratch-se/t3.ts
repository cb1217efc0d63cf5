const orig = globalThis.setTimeout;
(globalThis as any).setTimeout = (fn: any, ms: number, ...a: any[]) => { console.log('setTimeout', ms, new Error().stack?.split('\n')[2]?.trim()); return orig(fn, ms, ...a); };
const { openSchemaEngine, readMigrations } = await import('../prisma/schema-engine.ts');
const { schemaFor, migrationsDirFor } = await import('../prisma/schemas.ts');
for (const provider of ['sqlite', 'postgresql'] as const) {
  const url = provider === 'sqlite' ? 'file::memory:' : 'postgres://provisioning:provisioning@127.0.0.1:5432/postgres';
  const s = await openSchemaEngine({ provider, url, datamodel: schemaFor(provider) });
  const t0 = Date.now();
  const d = await s.diff(s.targets.migrations(readMigrations(migrationsDirFor(provider))), s.targets.datamodel());
  console.log(provider, d, Date.now() - t0);
  await s.close();
}
