// The bulk writer against real databases (a SQLite file; a scratch PostgreSQL database): rows it
// writes must be the rows Prisma writes, read back through Prisma and as stored; chunks must
// stay within the parameter limit at its exact edge; a failure in any chunk must roll the
// caller's transaction back whole.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../../prisma/schema-engine/index.ts';
import { openStore, type Store } from '../../../prisma/store.ts';
import { insertRows, maxParametersPerStatement, rowsPerStatement, updateWhereIn, type CompleteRow } from '../../../prisma/bulk-write.ts';
import { newId } from '../../../services/shared/random.ts';
import { postgresServerUrl } from '../../helpers/postgres.ts';
import { testProviders, unavailable } from '../../helpers/test-bot.ts';

const tenantId = 'tenant-bulk';
// Milliseconds that matter, and a time past which text and time order would differ if a
// date were stored in another form ("…Z" sorts after "…+00:00").
const registeredAt = new Date('2026-03-04T05:06:07.089Z');
const expiresAt = new Date('2026-03-05T05:06:07.001Z');

function attempts(count: number, prefix: string): CompleteRow<'ProvisioningAttempt'>[] {
  return Array.from({ length: count }, (_, index) => ({ id: `${prefix}-${index}`, mac: `02-00-00-00-00-${index % 100}`, succeeded: index % 2 === 0, at: registeredAt, source: '', tenantId: null, countsForMac: true }));
}

describe.each(testProviders)('bulk writes on %s', (provider) => {
  describe.skipIf(unavailable(provider))('insertRows and updateWhereIn', () => {
    let database: ScratchDatabase;
    let store: Store;
    const db = () => store.db;

    /** Every column of a row as the database stores it, as text: the same for rows written either way. */
    async function storedText(table: string, id: string): Promise<Record<string, string | null>> {
      const columns = Object.keys((await db().$queryRawUnsafe<Record<string, unknown>[]>(`SELECT * FROM "${table}" WHERE "id" = '${id}'`))[0] ?? {});
      const select = columns.map((column) => `CAST("${column}" AS TEXT) AS "${column}"`).join(', ');
      const [row] = await db().$queryRawUnsafe<Record<string, string | null>[]>(`SELECT ${select} FROM "${table}" WHERE "id" = '${id}'`);
      return { ...row, id: 'same' };
    }

    beforeAll(async () => {
      database = await createScratchDatabase(provider, provider === 'postgresql' ? postgresServerUrl('bulk-write') : undefined, 'bulk_write');
      store = await openStore(database.url);
    });
    afterAll(async () => {
      await store?.close();
      await database?.drop();
    });
    beforeEach(async () => {
      for (const table of ['ProvisioningAttempt', 'VerificationCode', 'AuditEvent', 'Device', 'Tenant']) await db().$executeRawUnsafe(`DELETE FROM "${table}"`);
      await db().tenant.create({ data: { id: tenantId } });
    });

    it('leaves out a row that breaks a unique key with skipExisting, and fails on it without', async () => {
      await db().$executeRawUnsafe('DELETE FROM "PostedCard"');
      const card = (id: string) => ({ id, tenantId, kind: 'handoff', subject: 'batch-1', channelId: 'msteams', conversationId: 'c-1', activityId: 'a-1', createdAt: registeredAt, updatedAt: registeredAt });
      expect(await insertRows(db(), 'PostedCard', [card('card-1')], { skipExisting: true })).toBe(1);
      expect(await insertRows(db(), 'PostedCard', [card('card-2')], { skipExisting: true })).toBe(0);
      await expect(insertRows(db(), 'PostedCard', [card('card-3')])).rejects.toThrow();
      // Several rows, one of them already there: the others are written.
      const other = (id: string, subject: string) => ({ ...card(id), subject });
      expect(await insertRows(db(), 'PostedCard', [other('card-4', 'batch-2'), card('card-5'), other('card-6', 'batch-3')], { skipExisting: true })).toBe(2);
      const rows = await db().postedCard.findMany({ orderBy: { id: 'asc' } });
      expect(rows.map((row) => [row.id, row.subject, row.createdAt.toISOString()])).toEqual([
        ['card-1', 'batch-1', registeredAt.toISOString()],
        ['card-4', 'batch-2', registeredAt.toISOString()],
        ['card-6', 'batch-3', registeredAt.toISOString()],
      ]);
    });

    it('writes rows that Prisma reads back exactly as rows it wrote itself, stored in the same form', async () => {
      const device = (id: string, mac: string): CompleteRow<'Device'> => ({
        id,
        tenantId,
        mac,
        location: 'Lobby; east "wing"',
        model: null,
        firmwareVersion: 'v1.2',
        state: 'registered',
        stateChangedAt: registeredAt,
        deviceTokenHash: null,
        signedInAccount: null,
        registeredBy: 'user:aad-ada',
        createdAt: registeredAt,
        updatedAt: expiresAt,
      });
      const code = (id: string, deviceId: string): CompleteRow<'VerificationCode'> => ({
        id,
        tenantId,
        deviceId,
        codeHash: 'hash',
        batchId: null,
        status: 'revoked',
        issuedBy: 'user:aad-ada',
        issuedAt: registeredAt,
        expiresAt,
        closedAt: expiresAt,
      });
      const audit = (id: string, deviceId: string): CompleteRow<'AuditEvent'> => ({
        id,
        tenantId,
        deviceId,
        actor: 'user:aad-ada',
        actorName: 'Ada Lovelace',
        action: 'device.registered',
        fromState: null,
        toState: 'registered',
        reason: null,
        data: JSON.stringify({ note: "it's ünïcode ✓" }),
        at: registeredAt,
      });
      await db().device.create({ data: device('by-prisma', '02-00-00-00-00-01') });
      await db().verificationCode.create({ data: code('by-prisma', 'by-prisma') });
      await db().auditEvent.create({ data: audit('by-prisma', 'by-prisma') });
      await db().provisioningAttempt.createMany({ data: [{ id: 'by-prisma', mac: 'm', succeeded: true, at: registeredAt }, { id: 'by-prisma-2', mac: 'm', succeeded: false, at: registeredAt }] });
      await insertRows(db(), 'Device', [device('by-bulk', '02-00-00-00-00-02')]);
      await insertRows(db(), 'VerificationCode', [code('by-bulk', 'by-bulk')]);
      await insertRows(db(), 'AuditEvent', [audit('by-bulk', 'by-bulk')]);
      await insertRows(db(), 'ProvisioningAttempt', [{ id: 'by-bulk', mac: 'm', succeeded: true, at: registeredAt, source: '', tenantId: null, countsForMac: true }, { id: 'by-bulk-2', mac: 'm', succeeded: false, at: registeredAt, source: '', tenantId: null, countsForMac: true }]);

      const read = async <T extends { id: string }>(find: (id: string) => Promise<T | null>, id: string) => ({ ...(await find(id)), id: 'same' });
      expect(await read((id) => db().device.findUnique({ where: { id } }), 'by-bulk')).toEqual({
        ...(await read((id) => db().device.findUnique({ where: { id } }), 'by-prisma')),
        mac: '02-00-00-00-00-02',
      });
      expect(await read((id) => db().verificationCode.findUnique({ where: { id } }), 'by-bulk')).toEqual({
        ...(await read((id) => db().verificationCode.findUnique({ where: { id } }), 'by-prisma')),
        deviceId: 'by-bulk',
      });
      expect(await read((id) => db().auditEvent.findUnique({ where: { id } }), 'by-bulk')).toEqual({
        ...(await read((id) => db().auditEvent.findUnique({ where: { id } }), 'by-prisma')),
        deviceId: 'by-bulk',
      });
      for (const suffix of ['', '-2']) {
        expect(await read((id) => db().provisioningAttempt.findUnique({ where: { id } }), `by-bulk${suffix}`)).toEqual(
          await read((id) => db().provisioningAttempt.findUnique({ where: { id } }), `by-prisma${suffix}`),
        );
        expect(await storedText('ProvisioningAttempt', `by-bulk${suffix}`)).toEqual(await storedText('ProvisioningAttempt', `by-prisma${suffix}`));
      }
      expect({ ...(await storedText('Device', 'by-bulk')), mac: '' }).toEqual({ ...(await storedText('Device', 'by-prisma')), mac: '' });
      expect({ ...(await storedText('VerificationCode', 'by-bulk')), deviceId: '' }).toEqual({ ...(await storedText('VerificationCode', 'by-prisma')), deviceId: '' });
      expect({ ...(await storedText('AuditEvent', 'by-bulk')), deviceId: '' }).toEqual({ ...(await storedText('AuditEvent', 'by-prisma')), deviceId: '' });
    });

    it('stores dates that Prisma filters and orders by time', async () => {
      await insertRows(db(), 'ProvisioningAttempt', [
        { id: 'earlier', mac: 'm', succeeded: true, at: new Date(registeredAt.getTime() - 1), source: '', tenantId: null, countsForMac: true },
        { id: 'exact', mac: 'm', succeeded: true, at: registeredAt, source: '', tenantId: null, countsForMac: true },
        { id: 'later', mac: 'm', succeeded: true, at: new Date(registeredAt.getTime() + 1), source: '', tenantId: null, countsForMac: true },
      ]);
      const after = await db().provisioningAttempt.findMany({ where: { at: { gt: registeredAt } }, select: { id: true } });
      expect(after.map((row) => row.id)).toEqual(['later']);
      const upTo = await db().provisioningAttempt.findMany({ where: { at: { lte: registeredAt } }, orderBy: { at: 'desc' }, select: { id: true } });
      expect(upTo.map((row) => row.id)).toEqual(['exact', 'earlier']);
    });

    it('fills statements up to the parameter limit and splits one row past it', async () => {
      const perStatement = rowsPerStatement(4);
      expect(perStatement * 4).toBeLessThanOrEqual(maxParametersPerStatement);
      expect((perStatement + 1) * 4).toBeGreaterThan(maxParametersPerStatement);
      // One row past: in one statement SQLite would refuse it ("too many SQL variables").
      expect(await insertRows(db(), 'ProvisioningAttempt', attempts(perStatement, 'a'))).toBe(perStatement);
      expect(await insertRows(db(), 'ProvisioningAttempt', attempts(perStatement + 1, 'b'))).toBe(perStatement + 1);
      expect(await db().provisioningAttempt.count()).toBe(2 * perStatement + 1);
      expect(await db().provisioningAttempt.count({ where: { id: `b-${perStatement}`, succeeded: perStatement % 2 === 0 } })).toBe(1);
    });

    it('updates by a list exactly at the parameter limit, and one past it, counting only rows that meet every condition', async () => {
      // set 1 + where 1: the rest of the limit goes to the list.
      const perStatement = rowsPerStatement(1, 2);
      const rows = attempts(perStatement + 1, 'u');
      await insertRows(db(), 'ProvisioningAttempt', rows);
      const ids = rows.map((row) => row.id);
      // Half of them succeeded: only those match the condition.
      const changed = await updateWhereIn(db(), 'ProvisioningAttempt', { set: { mac: 'changed' }, where: { succeeded: true }, column: 'id', values: ids.slice(0, perStatement) });
      expect(changed).toBe(Math.ceil(perStatement / 2));
      const all = await updateWhereIn(db(), 'ProvisioningAttempt', { set: { mac: 'all', at: expiresAt }, where: {}, column: 'id', values: ids });
      expect(all).toBe(perStatement + 1);
      expect(await db().provisioningAttempt.count({ where: { mac: 'all', at: expiresAt } })).toBe(perStatement + 1);
    });

    it.runIf(provider === 'sqlite')('the limit is SQLite’s own: one parameter more is refused', async () => {
      const list = (count: number) => Array.from({ length: count }, () => '?').join(',');
      const ones = (count: number) => Array.from({ length: count }, () => 1);
      await expect(db().$queryRawUnsafe(`SELECT 1 WHERE 1 IN (${list(maxParametersPerStatement)})`, ...ones(maxParametersPerStatement))).resolves.toHaveLength(1);
      await expect(db().$queryRawUnsafe(`SELECT 1 WHERE 1 IN (${list(maxParametersPerStatement + 1)})`, ...ones(maxParametersPerStatement + 1))).rejects.toThrow(
        /too many SQL variables/,
      );
    });

    it('an update with a null condition matches IS NULL', async () => {
      await insertRows(db(), 'Device', [
        { id: 'd1', tenantId, mac: 'm1', location: null, model: null, firmwareVersion: null, state: 'registered', stateChangedAt: registeredAt, deviceTokenHash: null, signedInAccount: null, registeredBy: null, createdAt: registeredAt, updatedAt: registeredAt },
        { id: 'd2', tenantId, mac: 'm2', location: 'Lobby', model: null, firmwareVersion: null, state: 'registered', stateChangedAt: registeredAt, deviceTokenHash: null, signedInAccount: null, registeredBy: null, createdAt: registeredAt, updatedAt: registeredAt },
      ]);
      expect(await updateWhereIn(db(), 'Device', { set: { location: 'Unknown', model: null }, where: { location: null, tenantId }, column: 'id', values: ['d1', 'd2'] })).toBe(1);
      expect((await db().device.findMany({ orderBy: { id: 'asc' }, select: { location: true } })).map((row) => row.location)).toEqual(['Unknown', 'Lobby']);
    });

    it('nothing to write is no statement and no error', async () => {
      expect(await insertRows(db(), 'ProvisioningAttempt', [])).toBe(0);
      expect(await updateWhereIn(db(), 'ProvisioningAttempt', { set: { mac: 'x' }, where: {}, column: 'id', values: [] })).toBe(0);
      expect(await db().provisioningAttempt.count()).toBe(0);
    });

    it('refuses rows that do not name the same columns, and names that are not plain identifiers, writing nothing', async () => {
      const [first, second] = attempts(2, 'r');
      const { at: _at, ...withoutDate } = second!;
      await expect(insertRows(db(), 'ProvisioningAttempt', [first!, withoutDate as CompleteRow<'ProvisioningAttempt'>])).rejects.toThrow(/row 1 does not name the same columns/);
      await expect(insertRows(db(), 'ProvisioningAttempt', [first!, { ...second!, mac: undefined } as unknown as CompleteRow<'ProvisioningAttempt'>])).rejects.toThrow(/row 1/);
      const sneaky = { ...first!, 'mac" = 1; --': 'x' } as unknown as CompleteRow<'ProvisioningAttempt'>;
      await expect(insertRows(db(), 'ProvisioningAttempt', [sneaky])).rejects.toThrow(/not a plain SQL identifier/);
      await expect(updateWhereIn(db(), 'ProvisioningAttempt', { set: {}, where: {}, column: 'id', values: ['r-0'] })).rejects.toThrow(/at least one column/);
      expect(await db().provisioningAttempt.count()).toBe(0);
    });

    it('a failure in a later chunk rolls back the earlier chunks with the caller’s transaction', async () => {
      const rows = attempts(rowsPerStatement(4) + 1, 'x');
      // The last row (in the second statement) repeats the first row's id.
      rows[rows.length - 1] = { ...rows[rows.length - 1]!, id: 'x-0' };
      await expect(db().$transaction((tx) => insertRows(tx, 'ProvisioningAttempt', rows), { timeout: 60_000 })).rejects.toThrow();
      expect(await db().provisioningAttempt.count()).toBe(0);
    });

    it('columns shared by every row (bound once) and columns of each row are stored as Prisma stores them, across statements', async () => {
      // Two columns of each row (id, deviceId) and nine shared: actor, name, action, states, data, time; fromState
      // and reason NULL in every row, toState and reason NULL in some rows only.
      const at = new Date(registeredAt.getTime());
      const audit = (id: string, index: number): CompleteRow<'AuditEvent'> => ({
        id,
        tenantId,
        deviceId: null,
        actor: 'user:aad-ada',
        actorName: 'Ada Lovelace',
        action: 'code.issued',
        fromState: null,
        toState: index % 3 === 0 ? null : `state ${index % 2}`,
        reason: null,
        data: JSON.stringify({ batchId: 'b', note: "it's ünïcode ✓" }),
        at,
      });
      await db().auditEvent.create({ data: audit('by-prisma', 1) });
      // Own columns: id and toState; shared and bound: tenantId, actor, actorName, action, data, at.
      const perStatement = rowsPerStatement(2, 6);
      const rows = Array.from({ length: perStatement + 1 }, (_, index) => audit(`bulk-${index}`, index));
      expect(await insertRows(db(), 'AuditEvent', rows)).toBe(perStatement + 1);
      expect(await db().auditEvent.count({ where: { id: { startsWith: 'bulk-' }, actor: 'user:aad-ada', actorName: 'Ada Lovelace', at } })).toBe(perStatement + 1);
      expect(await db().auditEvent.count({ where: { id: { startsWith: 'bulk-' }, toState: null } })).toBe(Math.ceil((perStatement + 1) / 3));
      const last = await db().auditEvent.findUnique({ where: { id: `bulk-${perStatement}` } });
      expect(last?.toState).toBe(perStatement % 3 === 0 ? null : `state ${perStatement % 2}`);
      expect(await storedText('AuditEvent', 'bulk-1')).toEqual(await storedText('AuditEvent', 'by-prisma'));
      // Identical rows share every column; a unique column then refuses the second one, writing nothing.
      const twin = { id: newId(), mac: 'twin', succeeded: false, at, source: 's', tenantId: null, countsForMac: false };
      await expect(db().$transaction((tx) => insertRows(tx, 'ProvisioningAttempt', [twin, twin]))).rejects.toThrow();
      expect(await db().provisioningAttempt.count()).toBe(0);
      expect(await insertRows(db(), 'ProvisioningAttempt', [twin, { ...twin, id: newId() }])).toBe(2);
      expect(await db().provisioningAttempt.count({ where: { mac: 'twin', succeeded: false, countsForMac: false, source: 's', at } })).toBe(2);
    });

    it('many rows with fresh ids read back in full', async () => {
      const devices: CompleteRow<'Device'>[] = Array.from({ length: 3000 }, (_, index) => ({
        id: newId(),
        tenantId,
        mac: `02-00-00-00-${String(Math.floor(index / 256)).padStart(2, '0')}-${(index % 256).toString(16).padStart(2, '0')}`,
        location: index % 3 === 0 ? null : `Floor ${index % 7}`,
        model: null,
        firmwareVersion: null,
        state: 'registered',
        stateChangedAt: registeredAt,
        deviceTokenHash: null,
        signedInAccount: null,
        registeredBy: 'user:aad-ada',
        createdAt: registeredAt,
        updatedAt: registeredAt,
      }));
      await insertRows(db(), 'Device', devices);
      const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
      const stored = (await db().device.findMany()).sort(byId);
      expect(stored.map((row) => [row.id, row.mac, row.location, row.createdAt.getTime()])).toEqual(
        [...devices].sort(byId).map((row) => [row.id, row.mac, row.location, registeredAt.getTime()]),
      );
    });
  });
});
