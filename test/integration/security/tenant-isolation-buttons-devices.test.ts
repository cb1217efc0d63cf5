// Tenant isolation, card buttons and device calls: tenant B's admin presses every button of
// the registry with tenant A's MACs, batch ids and locations, on A's own cards; devices use A's
// codes and tokens against B's devices and the other way round. B sees nothing of A, A's data
// does not change (buttons), and each code and token reaches only its own tenant's device.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actions } from '../../../bot/actions/index.ts';
import { cardOf, codesOnCard } from '../../helpers/card-text.ts';
import { callDeviceApi } from '../../helpers/device-api.ts';
import { testProviders, unavailable } from '../../helpers/test-bot.ts';
import { everything } from './chat-driver.ts';
import { contoso, fabrikam, TwoTenants } from './two-tenants.ts';

describe.each(testProviders)('on %s', (provider) => {
  describe.skipIf(unavailable(provider))('two tenants on one bot', () => {
    let tenants: TwoTenants;
    beforeAll(async () => {
      tenants = await TwoTenants.start(provider);
    }, 120_000);
    afterAll(async () => {
      await tenants?.close();
    });

    it("every card button, carrying A's MACs, batch ids and locations, pressed on A's cards, shows B nothing of A and changes nothing of A", async () => {
      const { a, b, db } = tenants;
      const [first, second] = contoso.macs;
      const cardOfA = (await db.postedCard.findFirst({ where: { tenantId: contoso.tenantId } }))?.activityId;
      expect(cardOfA).toBeDefined();
      const payloads = a.batchIds.flatMap((batchId) => [
        { mac: first, account: contoso.account, batchId, location: contoso.locations[0], note: 'pressed by tenant B', command: 'status', args: first, expiresAt: new Date(Date.now() + 3_600_000).toISOString() },
        { mac: second, batchId, location: '' },
        { batchId, location: contoso.locations[1] },
      ]);
      await tenants.asB(async (check) => {
        let count = 0;
        for (const action of actions) {
          for (const data of payloads) {
            // As if pressed on one of A's cards, and on no card at all.
            for (const onCard of [null, cardOfA ?? null]) {
              const answer = await b.chat.press(action.verb, data, onCard);
              // Refused presses answer 4xx (Universal Actions' error response: the card stays); never a failure.
              expect(answer.status, `${action.verb} ${JSON.stringify(data)}`).toBe((answer.body as { statusCode?: number } | null)?.statusCode ?? 200);
              expect(answer.status).toBeLessThan(500);
              await check(JSON.stringify(answer.body), JSON.stringify(data), `button ${action.verb} with ${JSON.stringify(data)}`);
              count++;
            }
          }
        }
        return count;
      });
    }, 120_000);

    it("device calls: A's codes do not provision B's devices, nor B's A's; a token reaches only its own device", async () => {
      const { a, b, db, bot } = tenants;
      const [aFirst, aSecond] = contoso.macs;
      const [bFirst, bSecond] = fabrikam.macs;
      const bBefore = await db.device.findMany({ where: { tenantId: fabrikam.tenantId }, orderBy: { mac: 'asc' } });

      const aCodeOnB = await callDeviceApi(bot.url, 'POST', '/provision', { mac: bSecond, verificationCode: a.codes.get(aSecond) });
      expect(aCodeOnB).toMatchObject({ status: 401, body: { code: 'wrong_code' } });
      const bCodeOnA = await callDeviceApi(bot.url, 'POST', '/provision', { mac: aSecond, verificationCode: b.codes.get(bSecond) });
      expect(bCodeOnA).toMatchObject({ status: 401, body: { code: 'wrong_code' } });

      // A's token sees A's device only, and whatever it reports lands on A's device.
      expect((await callDeviceApi(bot.url, 'GET', '/state', undefined, a.token)).body).toEqual({ state: 'signing_in', signInRequested: false, account: contoso.account, update: null });
      // B's account reported by A's device is refused (not the account A's admin chose), and changes nothing of B's.
      expect((await callDeviceApi(bot.url, 'POST', '/signed-in', { account: fabrikam.account }, a.token)).status).toBe(409);
      expect((await callDeviceApi(bot.url, 'POST', '/signed-in', { account: contoso.account }, a.token)).status).toBe(200);
      expect((await callDeviceApi(bot.url, 'GET', '/state', undefined, b.token)).body).toEqual({ state: 'signing_in', signInRequested: false, account: fabrikam.account, update: null });
      expect(await db.device.findFirst({ where: { tenantId: contoso.tenantId, mac: aFirst } })).toMatchObject({ state: 'signed_in', signedInAccount: contoso.account });

      const bAfter = await db.device.findMany({ where: { tenantId: fabrikam.tenantId }, orderBy: { mac: 'asc' } });
      expect(bAfter).toEqual(bBefore);
      expect(bAfter.find((device) => device.mac === bFirst)?.state).toBe('signing_in');
    });

    it("when B registers a MAC that A also has, each code provisions its own tenant's device, and each token sees only its own", async () => {
      const { a, b, db, bot } = tenants;
      const shared = contoso.macs[2];
      await b.chat.say(`register ${shared} ${fabrikam.locations[1]}`);
      const [card] = await b.chat.say(`codes ${shared}`);
      const bCode = codesOnCard(cardOf(card!)).get(shared);
      expect(bCode).toMatch(/^\d{6}$/);
      const [status] = await b.chat.say(`status ${shared}`);
      expect(everything(status)).toContain(fabrikam.locations[1]);
      expect(everything(status)).not.toContain(contoso.locations[0]);

      const viaA = await callDeviceApi(bot.url, 'POST', '/provision', { mac: shared, verificationCode: a.codes.get(shared) });
      expect(viaA).toMatchObject({ status: 200, body: { tenantName: contoso.tenantId } });
      expect(await db.device.findFirst({ where: { tenantId: fabrikam.tenantId, mac: shared } })).toMatchObject({ state: 'code_issued', deviceTokenHash: null });

      const viaB = await callDeviceApi(bot.url, 'POST', '/provision', { mac: shared, verificationCode: bCode });
      expect(viaB).toMatchObject({ status: 200, body: { tenantName: fabrikam.tenantId } });
      await b.chat.say(`signin ${shared}`);
      expect((await callDeviceApi(bot.url, 'GET', '/state', undefined, String(viaB.body.deviceToken))).body).toMatchObject({ state: 'awaiting_sign_in', signInRequested: true });
      expect((await callDeviceApi(bot.url, 'GET', '/state', undefined, String(viaA.body.deviceToken))).body).toMatchObject({ state: 'awaiting_sign_in', signInRequested: false });
    });
  });
});
