// Tenant isolation, chat commands: tenant B's admin runs every command of the registry (so a
// command added later is drilled too) with arguments naming tenant A's devices, locations,
// batches, people and tenant. B sees nothing of A, nothing reaches A's conversations, and A's
// data does not change. See two-tenants.ts for what counts as "something of A".
import { afterAll, beforeAll, describe, it } from 'vitest';
import { commands } from '../../../bot/commands/index.ts';
import { testProviders, unavailable } from '../../helpers/test-bot.ts';
import { everything } from './chat-driver.ts';
import { contoso, TwoTenants } from './two-tenants.ts';

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('two tenants on one bot', () => {
    let tenants: TwoTenants;
    beforeAll(async () => {
      tenants = await TwoTenants.start(provider);
    }, 120_000);
    afterAll(async () => {
      await tenants?.close();
    });

    /** Arguments naming A's things, given to every command. */
    function argumentsNamingA(): string[] {
      const [first, second, third] = contoso.macs;
      return [
        '',
        first,
        `${first} ${contoso.account}`,
        `${second} ${third}`,
        'all',
        `location ${contoso.locations[0]}`,
        // Words some commands take (list, export, setup), so that their other paths run too.
        'waiting',
        'codes',
        'technicians',
        tenants.a.batchIds[0] ?? '',
        `technician ${contoso.technician.aadObjectId}`,
        `MAC address,Location\r\n${third},Annex`,
      ];
    }

    it("every command, with arguments naming A's devices, locations, batches and people, shows B nothing of A and changes nothing of A", async () => {
      const { b } = tenants;
      await tenants.asB(async (check) => {
        let count = 0;
        for (const command of commands) {
          const runs = [
            ...argumentsNamingA().map((args) => ({ args, where: 'personal' })),
            // In a channel too: some commands answer differently there (setup).
            { args: '', where: b.chat.techniciansChannel },
          ];
          for (const { args, where } of runs) {
            const text = `${command.name} ${args}`.trim();
            for (const reply of await b.chat.say(text, where)) await check(everything(reply), text, `"${text}"`);
            count++;
          }
        }
        return count;
      });
    }, 120_000);
  });
});
