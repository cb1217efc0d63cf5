// The registry and code issuing against a real SQLite file (through the real server's store).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hours, ManualClock } from '../../helpers/manual-clock.ts';
import { startTestBotOn, testProviders, unavailable, type TestBot } from '../../helpers/test-bot.ts';

const tenant = 'tenant-contoso';
const admin = { kind: 'user' as const, id: 'aad-ada' };

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('the registry and codes', () => {
    let bot: TestBot;
    let clock: ManualClock;

    beforeEach(async () => {
      clock = new ManualClock();
      bot = await startTestBotOn(provider, { CODE_TTL_HOURS: '24' }, { clock });
    });
    afterEach(async () => {
      await bot.close();
    });

    const devices = () => bot.server.services.devices;
    const db = () => bot.server.store.db;

    describe('registering by hand', () => {
      it('stores each MAC once in canonical form, reports rejects and in-list duplicates, and audits each device', async () => {
        const report = await devices().registry.register(admin, tenant, [
          { mac: '00:04:f2:81:24:b3', location: '  Lobby  ' },
          { mac: '0004.f281.24b4', location: 'Floor 2', model: 'CCX 600' },
          { mac: 'FF-FF-FF-FF-FF-FF' },
          { mac: '00-04-F2-81-24-B3', location: 'Elsewhere' },
        ]);
        expect(report.added).toEqual([
          { mac: '00-04-F2-81-24-B3', location: 'Lobby' },
          { mac: '00-04-F2-81-24-B4', location: 'Floor 2' },
        ]);
        expect(report.rejected).toEqual([{ line: 3, value: 'FF-FF-FF-FF-FF-FF', reason: expect.stringContaining('broadcast') }]);
        expect(report.duplicates).toEqual([{ line: 4, mac: '00-04-F2-81-24-B3', firstLine: 1 }]);
        expect(await db().device.count()).toBe(2);
        expect(await db().auditEvent.count({ where: { action: 'device.registered' } })).toBe(2);
      });

      it('registering a known MAC again changes nothing, unless a new location is given', async () => {
        await devices().registry.register(admin, tenant, [{ mac: '00-04-F2-81-24-B3', location: 'Lobby' }]);
        const again = await devices().registry.register(admin, tenant, [{ mac: '00-04-F2-81-24-B3' }]);
        expect(again.alreadyRegistered).toEqual([{ mac: '00-04-F2-81-24-B3', location: 'Lobby' }]);
        const moved = await devices().registry.register(admin, tenant, [{ mac: '00-04-F2-81-24-B3', location: 'Cafeteria' }]);
        expect(moved.updated).toEqual([{ mac: '00-04-F2-81-24-B3', location: 'Cafeteria', previousLocation: 'Lobby' }]);
        expect((await devices().queries.details(tenant, '00-04-F2-81-24-B3')).device.location).toBe('Cafeteria');
      });

      it('an empty list is refused with what to type', async () => {
        await expect(devices().registry.register(admin, tenant, [])).rejects.toMatchObject({ code: 'invalid_input' });
      });
    });

    describe('importing a CSV', () => {
      const csv = '\uFEFFMAC address;Location;Model\r\n00-04-F2-81-24-B3;Lobby;VVX 450\r\n\r\n"00:04:f2:81:24:b4";"Floor 2; east";\r\nnot-a-mac;Lobby;\r\n';

      it('applies the admin center template with a BOM, ";" and quotes, and reports every row', async () => {
        const report = await devices().registry.importCsv(admin, tenant, csv);
        expect(report.added.map((device) => device.mac)).toEqual(['00-04-F2-81-24-B3', '00-04-F2-81-24-B4']);
        expect(report.rejected).toEqual([{ line: 5, value: 'not-a-mac', reason: expect.any(String) }]);
        expect((await devices().queries.details(tenant, '00-04-F2-81-24-B4')).device.location).toBe('Floor 2; east');
      });

      it('when the store fails midway, none of the rows is kept', async () => {
        // A real failure inside the transaction: the database refuses the second device.
        if (provider === 'sqlite') {
          await db().$executeRawUnsafe(
            `CREATE TRIGGER refuse_b4 BEFORE INSERT ON "Device" WHEN NEW.mac = '00-04-F2-81-24-B4' BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
          );
        } else {
          await db().$executeRawUnsafe(
            `CREATE FUNCTION refuse_b4() RETURNS trigger AS $$ BEGIN IF NEW.mac = '00-04-F2-81-24-B4' THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
          );
          await db().$executeRawUnsafe(`CREATE TRIGGER refuse_b4 BEFORE INSERT ON "Device" FOR EACH ROW EXECUTE FUNCTION refuse_b4()`);
        }
        await expect(devices().registry.importCsv(admin, tenant, csv)).rejects.toThrow(/disk full/);
        expect(await db().device.count()).toBe(0);
        expect(await db().auditEvent.count()).toBe(0);
        expect(await db().outboxMessage.count()).toBe(0);
      });

      it('a file without a MAC column is refused whole and stores nothing', async () => {
        await expect(devices().registry.importCsv(admin, tenant, 'Name,Location\nphone,Lobby\n')).rejects.toMatchObject({ code: 'invalid_input' });
        expect(await db().device.count()).toBe(0);
      });
    });

    describe('issuing codes', () => {
      const macs = ['00-04-F2-00-00-01', '00-04-F2-00-00-02', '00-04-F2-00-00-03'];

      beforeEach(async () => {
        await devices().registry.register(admin, tenant, [
          { mac: macs[0] ?? '', location: 'Lobby' },
          { mac: macs[1] ?? '', location: 'lobby ' },
          { mac: macs[2] ?? '', location: 'Floor 2' },
        ]);
      });

      it('for a location (any case), gives each device 6 random digits valid 24 hours, stored only hashed', async () => {
        const report = await devices().codes.issue(admin, tenant, { location: 'LOBBY' });
        expect(report.issued.map((entry) => entry.mac).sort()).toEqual([macs[0], macs[1]]);
        for (const entry of report.issued) {
          expect(entry.code).toMatch(/^\d{6}$/);
          expect(entry.expiresAt.getTime() - clock.now().getTime()).toBe(hours(24));
        }
        const stored = await db().verificationCode.findMany();
        expect(stored.map((row) => row.codeHash)).not.toContain(report.issued[0]?.code);
        expect(stored.every((row) => row.status === 'live' && row.codeHash.length >= 40)).toBe(true);
        const states = await db().device.findMany({ orderBy: { mac: 'asc' }, select: { state: true } });
        expect(states.map((row) => row.state)).toEqual(['code_issued', 'code_issued', 'registered']);
      });

      it('for all devices waiting on activation, and again: the previous codes are revoked', async () => {
        const first = await devices().codes.issue(admin, tenant, { all: true });
        const second = await devices().codes.issue(admin, tenant, { all: true });
        expect(first.issued).toHaveLength(3);
        expect(second.issued).toHaveLength(3);
        expect(await db().verificationCode.count({ where: { status: 'live' } })).toBe(3);
        expect(await db().verificationCode.count({ where: { status: 'revoked' } })).toBe(3);
        const live = new Set(second.issued.map((entry) => entry.code));
        expect(live.size).toBe(3);
      });

      it('skips, with a reason, MACs that are malformed, unknown or already provisioned', async () => {
        const report = await devices().codes.issue(admin, tenant, { macs: ['nonsense', '00-04-F2-00-00-09', macs[0] ?? ''] });
        expect(report.issued.map((entry) => entry.mac)).toEqual([macs[0]]);
        expect(report.skipped).toEqual([
          { mac: 'nonsense', reason: expect.any(String) },
          { mac: '00-04-F2-00-00-09', reason: 'not registered; register it first' },
        ]);
      });

      it('a location with no device is refused, naming it', async () => {
        await expect(devices().codes.issue(admin, tenant, { location: 'Basement' })).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining('Basement') });
      });

      it('1,000 devices at once get 1,000 distinct codes', async () => {
        const many = Array.from({ length: 1000 }, (_, index) => ({ mac: `02-00-00-00-${String((index >> 8) & 0xff).padStart(2, '0')}-${(index & 0xff).toString(16).padStart(2, '0').toUpperCase()}` }));
        await devices().registry.register(admin, tenant, many);
        const report = await devices().codes.issue(admin, tenant, { all: true });
        expect(report.issued).toHaveLength(1003);
        expect(new Set(report.issued.map((entry) => entry.code)).size).toBe(1003);
      });
    });
  });
});
