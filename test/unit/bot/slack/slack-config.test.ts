// The Slack settings: both secrets or neither, each bad value named at start-up, never shown.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../bot/config.ts';

const secret = '8f742231b10e8888abcd99ffffff85a5';
const token = 'xoxb-1111-2222-abcdefgh';

describe('Slack settings', () => {
  it('turn Slack on with both the signing secret and the bot token', () => {
    const config = parseConfig({ SLACK_SIGNING_SECRET: secret, SLACK_BOT_TOKEN: token, SLACK_ADMIN_USER_IDS: 'U024BE7LH, W0123ABCD', SLACK_API_URL: 'http://127.0.0.1:9/api/' });
    expect(config.slack).toEqual({ signingSecret: secret, botToken: token, apiUrl: 'http://127.0.0.1:9/api', adminUserIds: ['U024BE7LH', 'W0123ABCD'], appToken: null });
    expect(parseConfig({ SLACK_SIGNING_SECRET: secret, SLACK_BOT_TOKEN: token }).slack?.apiUrl).toBe('https://slack.com/api');
  });

  it('leave Slack off without them', () => {
    expect(parseConfig({}).slack).toBeNull();
  });

  it('stop start-up when only one of the two is set, naming the missing one', () => {
    expect(() => parseConfig({ SLACK_SIGNING_SECRET: secret })).toThrow(/SLACK_BOT_TOKEN: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN together/);
    expect(() => parseConfig({ SLACK_BOT_TOKEN: token })).toThrow(/SLACK_SIGNING_SECRET: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN together/);
  });

  it('stop start-up on a malformed value, naming the variable without showing a secret', () => {
    const tokenError = (() => {
      try {
        parseConfig({ SLACK_SIGNING_SECRET: secret, SLACK_BOT_TOKEN: 'xoxp-user-token-123456' });
      } catch (error) {
        return String(error);
      }
      return '';
    })();
    expect(tokenError).toMatch(/SLACK_BOT_TOKEN: expected the Bot User OAuth Token .* starting with xoxb- \(got "\*\*\*"\)/);
    expect(tokenError).not.toContain('xoxp-user-token');
    expect(() => parseConfig({ SLACK_SIGNING_SECRET: 'not hex!', SLACK_BOT_TOKEN: token })).toThrow(/SLACK_SIGNING_SECRET: expected the Signing Secret/);
    expect(() => parseConfig({ SLACK_SIGNING_SECRET: secret, SLACK_BOT_TOKEN: token, SLACK_ADMIN_USER_IDS: 'alice' })).toThrow(/SLACK_ADMIN_USER_IDS: expected Slack user ids .* \(got "alice"\)/);
    expect(() => parseConfig({ SLACK_API_URL: 'ftp://x' })).toThrow(/SLACK_API_URL: expected an http\(s\) URL/);
    expect(() => parseConfig({ SLACK_APP_TOKEN: 'xoxb-wrong-kind-1' })).toThrow(/SLACK_APP_TOKEN: expected an app-level token/);
    expect(() => parseConfig({ SLACK_APP_TOKEN: 'xapp-1-A1-2-abcdef' })).toThrow(/SLACK_APP_TOKEN: Socket Mode needs Slack on/);
    expect(parseConfig({ SLACK_SIGNING_SECRET: secret, SLACK_BOT_TOKEN: token, SLACK_APP_TOKEN: 'xapp-1-A1-2-abcdef' }).slack?.appToken).toBe('xapp-1-A1-2-abcdef');
  });
});
