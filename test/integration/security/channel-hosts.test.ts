// Issue 12, item 6: the hosts the bot talks to on a request's say-so. Without an app id the bot
// is not on the network unless HOST says so; with one, replies go only to Microsoft's channel
// hosts; attached files are fetched only from the chat's file storage.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { shownText } from '../../helpers/card-text.ts';
import { noteSecret } from '../../helpers/leak-watch.ts';
import { startBotProcess } from '../../helpers/bot-process.ts';
import { startTestBot, type TestBot } from '../../helpers/test-bot.ts';
import { ChannelIssuer, channelClaims, newSigningKey, signToken, type SigningKey } from './channel-issuer.ts';

const appId = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const appPassword = `app-password-${randomBytes(12).toString('hex')}`;
noteSecret('MicrosoftAppPassword', appPassword);

let bot: TestBot | undefined;
afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

describe('with an app id, the serviceUrl must be a channel host', () => {
  let issuer: ChannelIssuer;
  let key: SigningKey;
  beforeAll(async () => {
    key = newSigningKey(['msteams']);
    issuer = await ChannelIssuer.start([key]);
  });
  afterAll(async () => {
    await issuer.close();
  });

  it('a correctly signed activity whose serviceUrl is not on SERVICE_URL_HOSTS gets 403 and runs no turn', async () => {
    // The default list (Microsoft's hosts): the fake channel on loopback is not one of them.
    bot = await startTestBot({ MicrosoftAppId: appId, MicrosoftAppPassword: appPassword, BotOpenIdMetadata: issuer.metadataUrl, SERVICE_URL_HOSTS: '' });
    const token = signToken(channelClaims(appId, bot.channel.serviceUrl), key);
    const answer = await bot.channel.message('help', { headers: { authorization: `Bearer ${token}` } });
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ code: 'forbidden' });
    expect(bot.channel.received).toHaveLength(0);
    expect(await bot.server.store.db.conversationReference.count()).toBe(0);
    expect(bot.logs().some((line) => line.msg === 'activity refused: serviceUrl is not a channel host (SERVICE_URL_HOSTS)' && line.serviceUrlHost === '127.0.0.1')).toBe(true);
  });

  it('the same activity passes when its host is listed', async () => {
    bot = await startTestBot({ MicrosoftAppId: appId, MicrosoftAppPassword: appPassword, BotOpenIdMetadata: issuer.metadataUrl, SERVICE_URL_HOSTS: 'smba.trafficmanager.net,127.0.0.1' });
    const token = signToken(channelClaims(appId, bot.channel.serviceUrl), key);
    const answer = await bot.channel.invoke('device.showStatus', { mac: '00-04-F2-81-24-B3' }, { headers: { authorization: `Bearer ${token}` } });
    expect(answer.status).not.toBe(403);
    expect(await bot.server.store.db.conversationReference.count()).toBe(1);
  });
});

describe('attached files are downloaded only from FILE_DOWNLOAD_HOSTS', () => {
  it('an attachment on another host is refused with a reply saying what to do, and never fetched', async () => {
    bot = await startTestBot({ ADMIN_USER_IDS: 'file-host-admin', FILE_DOWNLOAD_HOSTS: '' });
    const admin = { id: 'file-host-admin', name: 'Admin', aadObjectId: 'file-host-admin' };
    const attachment = bot.channel.attachFile('phones.csv', 'MAC address,Location\r\n00-04-F2-00-01-01,Lobby\r\n');
    const answer = await bot.channel.post(bot.channel.activity({ type: 'message', text: 'import', attachments: [attachment] }, { from: admin }));
    expect(answer.status).toBe(200);
    expect(bot.channel.downloads).toEqual([]);
    expect(shownText(bot.channel.received.at(-1) as never)).toContain("I only download attachments from the chat's own file storage");
    expect(await bot.server.store.db.device.count()).toBe(0);
  });
});

describe('without an app id', () => {
  it('the bot listens on loopback only unless HOST is set, and says so at start-up', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'local-mode-'));
    const child = startBotProcess(cwd, { HOST: '' });
    try {
      const port = await child.listening;
      expect(child.stdout()).toContain('LOCAL MODE: no MicrosoftAppId');
      expect(child.stdout()).toContain('listening only on 127.0.0.1 (loopback)');
      expect(child.stderr()).toContain('WARNING: LOCAL MODE');
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const outside = Object.values(networkInterfaces()).flat().find((address) => address && address.family === 'IPv4' && !address.internal);
      if (outside) {
        await expect(fetch(`http://${outside.address}:${port}/healthz`, { signal: AbortSignal.timeout(3000) })).rejects.toThrow();
      }
    } finally {
      child.child.kill('SIGTERM');
      await child.exited;
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 60_000);
});
