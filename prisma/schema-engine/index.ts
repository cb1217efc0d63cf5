// Prisma's schema engine (the part behind `migrate dev`, `migrate diff`, `db push`), run
// in-process from @prisma/schema-engine-wasm instead of the native binary that the prisma
// CLI would download (it cannot here: only the npm registry is reachable). This folder is
// split by concern: ./wasm.ts loads the module, ./adapters.ts connects it to the database,
// ./session.ts is the API, ./scratch-database.ts and ./migration-list.ts prepare its
// inputs. Import from this file only.
//
//   const engine = await openSchemaEngine({ provider, url, datamodel });
//   try {
//     const { exitCode, stdout } = await engine.diff(engine.targets.migrations(list), engine.targets.datamodel());
//   } finally {
//     await engine.close();
//   }
export type { DiffResult, DiffTarget, MigrationList } from '@prisma/schema-engine-wasm';
export { postgresPoolConfig } from './adapters.ts';
export { lockfileName, lockfileText, readMigrations } from './migration-list.ts';
export { createScratchDatabase, type ScratchDatabase } from './scratch-database.ts';
export { openSchemaEngine, schemaFiles, type OpenSchemaEngineOptions, type SchemaEngineSession } from './session.ts';
