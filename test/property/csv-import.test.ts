// The CSV import service (the registry) on a real SQLite store, driven by generated files:
// a sequence of imports into one organisation must do exactly what a simple model of the
// registry says (new MACs added, known ones kept or moved to the new location), account for
// every data row, and a refused file must store nothing at all.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeviceCsv } from '../../services/devices/csv-device-list.ts';
import { DomainError } from '../../services/shared/errors.ts';
import { openTestStore, registryCounts, type TestStore } from '../helpers/bad-input.ts';
import { testProviders, unavailable } from '../helpers/test-bot.ts';
import { nearValidCsv } from './csv-generators.ts';

const admin = { kind: 'user' as const, id: 'aad-property-admin', name: 'Property Admin' };

/** Files the registry must refuse whole: no header, an unclosed quote, nothing but blank lines. */
const refusedFile = fc.oneof(
  nearValidCsv.map((generated) => generated.text.replace(/^\uFEFF?(\r?\n)*[^\r\n]*(\r?\n)?/, '00-04-F2-00-00-01,Lobby\n')),
  nearValidCsv.map((generated) => `${generated.text}\n00-04-F2-00-00-02,"Lobby\n`),
  fc.constantFrom('', '\n\n', ' ;; \r\n', 'Serial,Location\nSN1,Lobby\n'),
);

/** One import: mostly good files, some refused ones, some with random damage. */
const importInput = fc.oneof(
  { weight: 4, arbitrary: nearValidCsv.map((generated) => generated.text) },
  { weight: 2, arbitrary: refusedFile },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: nearValidCsv.map((generated) => Buffer.from(generated.text, 'utf8')) },
);

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('importing generated CSV files through the registry', () => {
    let test: TestStore;
    let tenantNumber = 0;

    beforeAll(async () => {
      test = await openTestStore(provider);
    });
    afterAll(async () => {
      await test?.close();
    });

    it('does what the model says on every import, accounts for every data row, and stores nothing for a refused file', async () => {
      const db = () => test.store.db;
      await fc.assert(
        fc.asyncProperty(fc.array(importInput, { minLength: 1, maxLength: 3 }), async (imports) => {
          const tenantId = `tenant-property-${++tenantNumber}`;
          /** The model: what the organisation's registry holds, MAC → location. */
          const registered = new Map<string, string | null>();
          for (const input of imports) {
            const before = await registryCounts(db());
            const tenantsBefore = await db().tenant.count();
            let expected: ReturnType<typeof parseDeviceCsv> | DomainError;
            try {
              expected = parseDeviceCsv(input);
            } catch (error) {
              expected = error as DomainError;
            }

            const outcome = await test.services.devices.registry.importCsv(admin, tenantId, input).catch((error: unknown) => error);
            if (expected instanceof DomainError) {
              expect(outcome).toBeInstanceOf(DomainError);
              expect((outcome as DomainError).code).toBe(expected.code);
              expect(await registryCounts(db())).toEqual(before);
              expect(await db().tenant.count()).toBe(tenantsBefore);
              continue;
            }
            if (outcome instanceof Error) throw outcome;
            const report = outcome as Awaited<ReturnType<typeof test.services.devices.registry.importCsv>>;

            // Every data row once: stored, known already, moved, rejected, or a duplicate in the file.
            const dataRows = expected.rows.length + expected.rejected.length + expected.duplicates.length;
            expect(report.added.length + report.alreadyRegistered.length + report.updated.length + report.rejected.length + report.duplicates.length).toBe(dataRows);
            expect(report.rejected).toEqual(expected.rejected);
            expect(report.duplicates).toEqual(expected.duplicates);

            const model = { added: [] as unknown[], alreadyRegistered: [] as unknown[], updated: [] as unknown[] };
            for (const row of expected.rows) {
              if (!registered.has(row.mac)) {
                model.added.push({ mac: row.mac, location: row.location });
                registered.set(row.mac, row.location);
              } else if (row.location !== null && row.location !== registered.get(row.mac)) {
                model.updated.push({ mac: row.mac, location: row.location, previousLocation: registered.get(row.mac) });
                registered.set(row.mac, row.location);
              } else {
                model.alreadyRegistered.push({ mac: row.mac, location: registered.get(row.mac) });
              }
            }
            expect({ added: report.added, alreadyRegistered: report.alreadyRegistered, updated: report.updated }).toEqual(model);

            const after = await registryCounts(db());
            expect(after.devices - before.devices).toBe(model.added.length);
            // An audit event per new device and per move; one notification per import that added any.
            expect(after.audit - before.audit).toBe(model.added.length + model.updated.length);
            expect(after.outbox - before.outbox).toBe(model.added.length > 0 ? 1 : 0);
          }
          const stored = await db().device.findMany({ where: { tenantId }, select: { mac: true, location: true, state: true } });
          expect(new Map(stored.map((device) => [device.mac, device.location]))).toEqual(registered);
          for (const device of stored) expect(device.state).toBe('registered');
        }),
        { numRuns: provider === 'sqlite' ? 60 : 30 },
      );
    });
  });
});
