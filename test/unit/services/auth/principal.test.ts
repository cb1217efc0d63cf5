import { describe, expect, it } from 'vitest';
import { actorOf, canonicalUserId, principalOfActorLabel, type Principal } from '../../../../services/auth/principal.ts';
import { actorLabel } from '../../../../services/shared/actor.ts';

describe('principalOfActorLabel', () => {
  it.each([
    ['a Teams user, as actor labels always were', 'user:0f6c1d2e-2222-4a4a-9b9b-000000000002', { platform: 'teams', userId: '0f6c1d2e-2222-4a4a-9b9b-000000000002' }],
    ['a Slack user', 'user:slack:U0TECH', { platform: 'slack', userId: 'U0TECH' }],
    ['an emulator id with a colon that names no platform', 'user:29:abc', { platform: 'teams', userId: '29:abc' }],
    ['a job', 'job:expiry-scan', null],
    ['a device', 'device:AA-BB-CC-DD-EE-FF', null],
    ['the system', 'system', null],
    ['a user label with no id', 'user:', null],
    ['a Slack label with no id', 'user:slack:', null],
  ])('%s', (_case, label, expected) => {
    expect(principalOfActorLabel(label)).toEqual(expected);
  });

  it.each<Principal>([
    { platform: 'teams', tenantId: 't', userId: '0f6c1d2e-2222-4a4a-9b9b-000000000002', displayName: null },
    { platform: 'slack', tenantId: 't', userId: 'U0TECH', displayName: 'Sam' },
  ])('reads back the principal that actorOf labels ($platform)', (principal) => {
    expect(principalOfActorLabel(actorLabel(actorOf(principal)))).toEqual({ platform: principal.platform, userId: principal.userId });
  });
});

describe('canonicalUserId', () => {
  it('lower-cases Teams object ids and keeps Slack ids as they are', () => {
    expect(canonicalUserId('teams', ' 0F6C1D2E-2222-4A4A-9B9B-000000000002 ')).toBe('0f6c1d2e-2222-4a4a-9b9b-000000000002');
    expect(canonicalUserId('slack', 'U0TECH')).toBe('U0TECH');
  });
});
