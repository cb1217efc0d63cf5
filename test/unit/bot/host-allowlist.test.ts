import { describe, expect, it } from 'vitest';
import { defaultFileDownloadHosts, defaultServiceUrlHosts, urlHostAllowed } from '../../../bot/host-allowlist.ts';

describe('urlHostAllowed', () => {
  it.each([
    ['https://smba.trafficmanager.net/emea/', true],
    ['https://smba.trafficmanager.net/teams/', true],
    ['https://webchat.botframework.com/', true],
    ['https://smba.infra.gcc.teams.microsoft.com/teams', true],
    ['https://botframework.com.evil.example/', false],
    ['https://evilbotframework.com/', false],
    ['https://smba.trafficmanager.net@evil.example/', false],
    ['http://127.0.0.1:3978/', false],
    ['ftp://smba.trafficmanager.net/', false],
    ['not a url', false],
  ])('serviceUrl %s allowed by default: %s', (url, allowed) => {
    expect(urlHostAllowed(url, defaultServiceUrlHosts)).toBe(allowed);
  });

  it.each([
    ['https://contoso-my.sharepoint.com/personal/a/_layouts/15/download.aspx?UniqueId=1&tempauth=x', true],
    ['https://contoso.sharepoint.us/x', true],
    ['https://sharepoint.com.evil.example/x', false],
    ['http://169.254.169.254/latest/meta-data/', false],
    ['http://localhost:5432/', false],
  ])('file %s allowed by default: %s', (url, allowed) => {
    expect(urlHostAllowed(url, defaultFileDownloadHosts)).toBe(allowed);
  });
});
