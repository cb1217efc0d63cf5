// Issue 16: the fleet tab in a real browser (Debian's Chromium through playwright-core). A
// stand-in Teams page on the bot's own origin frames the tab and answers teams-js; every request
// off loopback is blocked. The tab loads, shows the pipeline of the token's tenant only, filters
// the table, issues codes for a location (the hand-off card reaches the technicians channel of
// the fake Teams channel), and follows a theme change. Screenshots: test-artifacts/fleet-tab/.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noteSecret } from '../helpers/leak-watch.ts';
import { startFakeEntra, tabClientId, type FakeEntra } from '../helpers/tab-sso.ts';
import { teamsHostPage } from '../helpers/teams-host-page.ts';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';

const chromiumPath = '/usr/bin/chromium';
const noChromium = !existsSync(chromiumPath);
if (noChromium) console.warn(`fleet tab browser test SKIPPED: ${chromiumPath} is not installed (apt-get install -y chromium; .ci/run installs it).`);

/** As the machine notes say: headless, and no background traffic to Google's hosts. */
const chromiumFlags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const artifacts = path.resolve('test-artifacts', 'fleet-tab');

const contoso = '11111111-1111-4111-8111-111111111111';
const fabrikam = '22222222-2222-4222-8222-222222222222';
const ada = 'aaaaaaaa-0000-4000-8000-00000000000a';
const mel = 'bbbbbbbb-0000-4000-8000-00000000000b';
const seed = { kind: 'user' as const, id: 'seed' };
const techChannel = { conversationType: 'channel' as const, conversationId: '19:technicians@thread.tacv2', teamId: '19:team@thread.tacv2' };

/**
 * Devices of the Atrium that signed in over the last weeks, each a day or two after it was
 * registered: rows as the sign-in step writes them (state, account, audit event), dated back.
 */
async function seedSignedIn(bot: TestBot, macs: readonly string[]): Promise<void> {
  await bot.server.services.devices.registry.register(seed, contoso, macs.map((mac) => ({ mac, location: 'Atrium' })));
  const db = bot.server.store.db;
  const day = 24 * 3_600_000;
  for (const [index, mac] of macs.entries()) {
    const signedInAt = new Date(Date.now() - (2 + index * 6) * day);
    const registeredAt = new Date(signedInAt.getTime() - (1 + index * 0.5) * day);
    const device = await db.device.update({
      where: { tenantId_mac: { tenantId: contoso, mac } },
      data: { state: 'signed_in', stateChangedAt: signedInAt, signedInAccount: `atrium-${index + 1}@contoso.com`, createdAt: registeredAt },
    });
    await db.auditEvent.create({
      data: { id: `seed-signin-${index}`, tenantId: contoso, deviceId: device.id, actor: `device:${device.id}`, action: 'device.signed_in', fromState: 'signing_in', toState: 'signed_in', at: signedInAt },
    });
  }
}

describe.skipIf(noChromium)(noChromium ? `the fleet tab in Chromium (SKIPPED: ${chromiumPath} is not installed)` : 'the fleet tab in Chromium', () => {
  let bot: TestBot;
  let entra: FakeEntra;
  let browser: Browser;
  let page: Page;
  let tab: FrameLocator;
  const offLoopback: string[] = [];

  beforeAll(async () => {
    entra = await startFakeEntra();
    bot = await startTestBot({ TAB_SSO_CLIENT_ID: tabClientId, TAB_SSO_JWKS_URL: entra.jwksUrl, ADMIN_USER_IDS: ada }, { outboxIntervalMs: 50 });
    const { registry } = bot.server.services.devices;
    await registry.register(seed, contoso, [
      { mac: '00-04-F2-00-00-01', location: 'Lobby' },
      { mac: '00-04-F2-00-00-02', location: 'Lobby' },
      { mac: '00-04-F2-00-00-03', location: 'Lobby' },
      { mac: '00-04-F2-00-00-04', location: 'Floor 2' },
      { mac: '00-04-F2-00-00-05', location: 'Floor 2' },
    ]);
    await registry.register(seed, fabrikam, [{ mac: '00-04-F2-99-99-99', location: 'Warehouse' }]);
    // One phone reported a model and a firmware below its minimum (58.15.0.124 for the T55/T56/T58 family).
    await bot.server.store.db.device.update({ where: { tenantId_mac: { tenantId: contoso, mac: '00-04-F2-00-00-05' } }, data: { model: 'Yealink T56A', firmwareVersion: '58.15.0.100' } });
    await seedSignedIn(bot, ['00-04-F2-00-01-01', '00-04-F2-00-01-02', '00-04-F2-00-01-03', '00-04-F2-00-01-04']);
    // The technicians channel of Contoso, set up in chat as an admin does.
    await bot.channel.message('setup technicians', { ...techChannel, tenantId: contoso, mentionBot: true, from: { id: '29:ada', name: 'Ada Admin', aadObjectId: ada } });
    await bot.channel.waitFor(1);

    await bot.server.services.roles.grant(seed, contoso, { platform: 'teams', userId: mel, name: 'Mel Manager' }, 'manager');
    const token = await entra.token({ tid: contoso, oid: ada, name: 'Ada Admin' });
    const managerToken = await entra.token({ tid: contoso, oid: mel, name: 'Mel Manager' });
    noteSecret('tab SSO token', token);
    noteSecret('tab SSO token', managerToken);
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumFlags });
    const context = await browser.newContext({ viewport: { width: 1280, height: 1500 } });
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
        offLoopback.push(url.href);
        await route.abort('blockedbyclient');
        return;
      }
      if (url.pathname === '/teams-host.html') {
        await route.fulfill({ status: 200, contentType: 'text/html', body: teamsHostPage({ token, tenantId: contoso, userObjectId: ada, theme: 'default' }) });
        return;
      }
      if (url.pathname === '/teams-host-manager.html') {
        await route.fulfill({ status: 200, contentType: 'text/html', body: teamsHostPage({ token: managerToken, tenantId: contoso, userObjectId: mel, theme: 'contrast' }) });
        return;
      }
      await route.continue();
    });
    page = await context.newPage();
    await page.goto(`${bot.url}/teams-host.html`);
    tab = page.frameLocator('#tab');
    mkdirSync(artifacts, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await bot?.close();
    await entra?.close();
  });

  it("loads inside the host and shows the pipeline of the token's tenant only", async () => {
    await expect.poll(() => tab.getByText('Pipeline · 9 devices').count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => tab.getByRole('button', { name: '00-04-F2-00-00-05' }).count()).toBe(1);
    const text = await tab.locator('body').innerText();
    expect(text).not.toContain('Warehouse');
    expect(text).not.toContain('00-04-F2-99-99-99');
    const calls = (await page.evaluate(() => (globalThis as unknown as { teamsCalls: string[] }).teamsCalls)) as string[];
    expect(calls).toEqual(expect.arrayContaining(['initialize', 'getContext', 'authentication.getAuthToken']));
  });

  it('shows firmware readiness per model family, with the minimum a device is below', async () => {
    const firmware = tab.getByRole('table', { name: 'Firmware readiness per model' });
    await expect.poll(() => firmware.count(), { timeout: 20_000 }).toBe(1);
    const row = firmware.getByRole('row').filter({ hasText: '58.15.0.124' });
    // Family, minimum, devices, below the minimum, unknown version (not in the catalog's releases), updates available.
    expect(await row.innerText()).toMatch(/58\.15\.0\.124\s+1\s+1\s+1\s+0/);
  });

  it('filters the table by location and by search', async () => {
    await tab.getByRole('combobox', { name: 'Location' }).selectOption('Lobby');
    await expect.poll(() => tab.getByRole('button', { name: /^00-04-F2-00-00-0\d$/ }).count()).toBe(3);
    await tab.getByRole('combobox', { name: 'Location' }).selectOption('');
    await tab.getByRole('textbox', { name: 'Search devices' }).fill('00:04:f2:00:00:04');
    await expect.poll(() => tab.getByRole('button', { name: /^00-04-F2-00-00-0\d$/ }).count()).toBe(1);
    await tab.getByRole('textbox', { name: 'Search devices' }).fill('');
    await expect.poll(() => tab.getByRole('button', { name: /^00-04-F2-00-0\d-0\d$/ }).count()).toBe(9);
  });

  it('issues codes for a location; the hand-off card reaches the technicians channel and the pipeline refreshes', async () => {
    await tab.getByRole('combobox', { name: 'Location' }).selectOption('Floor 2');
    await tab.getByRole('button', { name: 'Issue codes for Floor 2' }).click();
    await expect.poll(() => tab.getByText('2 codes issued').count(), { timeout: 10_000 }).toBe(1);
    const [card] = await bot.channel.waitFor(1, (activity) => activity.conversationId === techChannel.conversationId && activity.method === 'POST' && (activity.body.attachments?.length ?? 0) > 0, 10_000);
    expect(JSON.stringify(card?.body)).toContain('00-04-F2-00-00-04');
    await expect.poll(() => tab.getByRole('row', { name: /00-04-F2-00-00-0[45].*Code issued/ }).count()).toBe(2);
    await tab.getByRole('combobox', { name: 'Location' }).selectOption('');
    await expect.poll(() => tab.getByRole('table', { name: 'Devices' }).getByRole('row').count()).toBe(10);
    await page.screenshot({ path: path.join(artifacts, 'light.png'), fullPage: true });
  });

  it('issues codes for the selected devices', async () => {
    await tab.getByRole('combobox', { name: 'Location' }).selectOption('Lobby');
    await tab.getByRole('checkbox', { name: 'Select 00-04-F2-00-00-01' }).check();
    await tab.getByRole('button', { name: 'Issue codes for selected (1)' }).click();
    await expect.poll(() => tab.getByText('1 code issued').count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => tab.getByRole('row', { name: /00-04-F2-00-00-01.*Code issued/ }).count()).toBe(1);
    await expect.poll(() => tab.getByRole('row', { name: /00-04-F2-00-00-02.*Waiting on activation/ }).count()).toBe(1);
    await tab.getByRole('combobox', { name: 'Location' }).selectOption('');
  });

  it("opens a device's timeline from the audit trail", async () => {
    await tab.getByRole('button', { name: '00-04-F2-00-00-04' }).click();
    const timeline = tab.getByRole('region', { name: 'Timeline of 00-04-F2-00-00-04' });
    await expect.poll(() => timeline.getByText(/device\.registered/).count()).toBe(1);
    await expect.poll(() => timeline.getByText(/code\.issued → code_issued · Ada Admin/).count()).toBe(1);
  });

  it('follows a theme change from Teams', async () => {
    const background = () => tab.locator('main').evaluate((element) => (globalThis as unknown as { getComputedStyle(node: unknown): { backgroundColor: string } }).getComputedStyle(element).backgroundColor);
    const light = await background();
    await page.evaluate(() => (globalThis as unknown as { setTeamsTheme(theme: string): void }).setTeamsTheme('dark'));
    await expect.poll(() => tab.locator('[data-theme="dark"]').count()).toBe(1);
    await expect.poll(background).not.toBe(light);
    await page.screenshot({ path: path.join(artifacts, 'dark.png'), fullPage: true });
  });

  it('shows a manager the fleet in high contrast, with no action buttons', async () => {
    const managerPage = await page.context().newPage();
    await managerPage.goto(`${bot.url}/teams-host-manager.html`);
    const managerTab = managerPage.frameLocator('#tab');
    await expect.poll(() => managerTab.getByText('Pipeline · 9 devices').count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => managerTab.locator('[data-theme="contrast"]').count()).toBe(1);
    await expect.poll(() => managerTab.getByRole('button', { name: /^00-04-F2/ }).count()).toBe(9);
    expect(await managerTab.getByRole('button', { name: /Issue codes|Sign in/ }).count()).toBe(0);
    expect(await managerTab.getByRole('checkbox').count()).toBe(0);
    // Export is a reading: managers may export, as in chat.
    expect(await managerTab.getByRole('button', { name: 'Export CSV' }).count()).toBe(1);
    await managerPage.screenshot({ path: path.join(artifacts, 'contrast-manager.png'), fullPage: true });
    await managerPage.close();
  });

  it("blocked teams-js's request for Teams' origins (Microsoft's CDN), and the tab worked on its built-in list", () => {
    expect(offLoopback.map((url) => new URL(url).hostname)).toContain('res.cdn.office.net');
  });

  it('opened outside Teams, says so after the timeout and links to the app', async () => {
    const outside = await page.context().newPage();
    await outside.goto(`${bot.url}/tab/`);
    await expect.poll(() => outside.getByText('works only inside Microsoft Teams').count(), { timeout: 15_000 }).toBe(1);
    expect(await outside.getByRole('link', { name: 'Open the app in Teams' }).getAttribute('href')).toMatch(/^https:\/\/teams\.microsoft\.com\//);
    await outside.close();
  });
});
