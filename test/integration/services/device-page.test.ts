// The fleet tab's table pages: walking every page with the cursor gives each device exactly
// once, in the requested order (devices without a location or model last), on both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceSortKey } from '../../../services/devices/device-page.ts';
import { startTestBotOn, testProviders, unavailable, type TestBot } from '../../helpers/test-bot.ts';

const tenantId = 'tenant-pages';
const seed = { kind: 'user' as const, id: 'seed' };
const locations = ['Lobby', null, 'Atrium', 'Floor 2', null, 'Lobby', 'atrium', 'Zeta', 'Lobby', null, 'Floor 2'];

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('device pages', () => {
    let bot: TestBot;
    beforeAll(async () => {
      bot = await startTestBotOn(provider);
      await bot.server.services.devices.registry.register(
        seed,
        tenantId,
        locations.map((location, index) => ({ mac: `00-04-F2-00-00-${String(index).padStart(2, '0')}`, ...(location ? { location } : {}) })),
      );
      await bot.server.services.devices.registry.register(seed, 'tenant-other', [{ mac: '00-04-F2-00-00-99', location: 'Lobby' }]);
    });
    afterAll(async () => {
      await bot?.close();
    });

    async function walk(sort: DeviceSortKey, direction: 'asc' | 'desc', extra: { q?: string; location?: string } = {}) {
      const seen: { mac: string; location: string | null }[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 20; pages++) {
        const page = await bot.server.services.devices.queries.page(tenantId, { sort, direction, limit: 3, ...extra, ...(cursor ? { cursor } : {}) });
        seen.push(...page.devices.map(({ mac, location }) => ({ mac, location })));
        if (!page.next) return seen;
        cursor = page.next;
      }
      throw new Error('more than 20 pages');
    }

    it.each([['asc'], ['desc']] as const)('by location %s: every device once, empty locations last', async (direction) => {
      const seen = await walk('location', direction);
      expect(seen).toHaveLength(locations.length);
      expect(new Set(seen.map((device) => device.mac)).size).toBe(locations.length);
      const named = seen.filter((device) => device.location !== null).map((device) => device.location ?? '');
      expect(seen.slice(named.length).every((device) => device.location === null)).toBe(true);
      // Each database's own collation orders the names; the walk must follow it without gaps.
      const once = await bot.server.services.devices.queries.page(tenantId, { sort: 'location', direction, limit: 200 });
      expect(seen.map((device) => device.mac)).toEqual(once.devices.map((device) => device.mac));
    });

    it('by MAC descending, and filtered by location and search, stays within the tenant', async () => {
      const seen = await walk('mac', 'desc');
      expect(seen.map((device) => device.mac)).toEqual(locations.map((_, index) => `00-04-F2-00-00-${String(index).padStart(2, '0')}`).reverse());
      expect((await walk('mac', 'asc', { location: 'Lobby' })).map((device) => device.mac)).toEqual(['00-04-F2-00-00-00', '00-04-F2-00-00-05', '00-04-F2-00-00-08']);
      expect((await walk('stateChangedAt', 'asc', { q: '00:04:f2:00:00:1' })).map((device) => device.mac).sort()).toEqual(['00-04-F2-00-00-10']);
    });
  });
});
