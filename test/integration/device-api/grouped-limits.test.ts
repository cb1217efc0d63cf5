// Provisions that arrive together share one transaction on SQLite (prisma/grouped-transactions.ts),
// and read some things once per group (the tenant's name, an address found clean). A wrong code
// in the group must still count for the provisions after it, exactly as one at a time.
import { beforeEach, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../services/index.ts';
import { DomainError } from '../../../services/shared/errors.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { useScratchStore } from '../../helpers/scratch-store.ts';
import { testProviders, unavailable } from '../../helpers/test-bot.ts';

const tenant = 'tenant-contoso';
const admin = { kind: 'user' as const, id: 'aad-megan', name: 'Megan Bowen' };
const macs = ['02-00-00-00-00-01', '02-00-00-00-00-02', '02-00-00-00-00-03'];

describe.each(testProviders)('provisions arriving together on %s', (provider) => {
  describe.skipIf(unavailable(provider))('limits and answers', () => {
    const store = useScratchStore(provider, 'grouped limits');
    let services: Services;
    let codeOf: Map<string, string>;

    beforeEach(async () => {
      await store().db.tenant.deleteMany();
      await store().db.provisioningAttempt.deleteMany();
      services = createServices({ db: store().db, clock: new ManualClock(), settings: { codeTtlMs: 24 * 3_600_000, codeHashSecret: 'grouped-limits-secret-0123456789-0123456', bootstrapAdmins: [] } });
      await services.devices.registry.register(admin, tenant, macs.map((mac) => ({ mac, location: 'Lobby' })));
      const issued = await services.devices.codes.issue(admin, tenant, { macs });
      codeOf = new Map(issued.issued.map((code) => [code.mac, code.code]));
    });

    const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const answer = (request: Promise<unknown>) =>
      request.then(
        (result) => ({ ok: true, result }),
        (error: unknown) => (error instanceof DomainError ? { ok: false, code: error.code, details: error.details } : { ok: false, thrown: String(error) }),
      );

    it('wrong codes sent together count one after the other: attempts left go down, then the device is locked out', async () => {
      const mac = macs[0]!;
      // A clean provision first in the group, from the same address: it finds the address clean.
      const answers = await Promise.all([
        answer(services.devices.provisioning.provision({ mac: macs[1]!, verificationCode: codeOf.get(macs[1]!)! }, { source: '10.0.0.7' })),
        ...Array.from({ length: 6 }, () => answer(services.devices.provisioning.provision({ mac, verificationCode: wrong(codeOf.get(mac)!) }, { source: '10.0.0.7' }))),
        answer(services.devices.provisioning.provision({ mac: macs[2]!, verificationCode: codeOf.get(macs[2]!)! }, { source: '10.0.0.7' })),
      ]);
      expect(answers[0]).toMatchObject({ ok: true, result: { tenantName: tenant } });
      // In some order (PostgreSQL runs them side by side, one MAC at a time), each saw the ones before it.
      const wrongAnswers = answers.slice(1, 7).map((a) => ('code' in a ? `${a.code}:${String(a.details?.attemptsLeft ?? '')}` : JSON.stringify(a)));
      expect(wrongAnswers.sort()).toEqual(['locked_out:', 'locked_out:', 'wrong_code:1', 'wrong_code:2', 'wrong_code:3', 'wrong_code:4']);
      // The address has failures now: a right code after them is still answered (other devices are not locked).
      expect(answers[7]).toMatchObject({ ok: true, result: { tenantName: tenant } });
    });
  });
});
