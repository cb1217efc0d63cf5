// Roles and destinations belong to principals, (platform, user id), not to bare user ids: a
// Slack user whose id string equals a Teams user's id is someone else. Destinations keep
// their platform; a tenant still has one destination per audience, whatever its platform.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../prisma/store.ts';
import type { ConversationToSave } from '../../../services/conversations/conversation-repository.ts';
import { createServices, type Services } from '../../../services/index.ts';
import { systemClock } from '../../../services/shared/clock.ts';

const tenantId = 'tenant-contoso';
const admin = { kind: 'user' as const, id: 'boot-admin' };
/** One id string, used by a Teams user and (by coincidence, or on purpose) by a Slack user. */
const sharedId = 'a1b2c3d4-0000-4000-8000-0000000000aa';
const bootstrapTeams = '0b0b0b0b-0000-4000-8000-00000000000b';
const bootstrapSlack = 'U0BOOTSTRAP';

let dir: string;
let store: Store;
let services: Services;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'principals-'));
  store = await openStore(`file:${path.join(dir, 'bot.db')}`);
  services = createServices({
    db: store.db,
    clock: systemClock,
    settings: {
      codeTtlMs: 86_400_000,
      codeHashSecret: 'principals-secret-0123456789-0123456789',
      bootstrapAdmins: [
        { platform: 'teams', userId: bootstrapTeams.toUpperCase() },
        { platform: 'slack', userId: bootstrapSlack },
      ],
    },
  });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('roles of principals', () => {
  it('a Slack user with the same id string as a Teams user does not get the Teams user\'s roles', async () => {
    expect(await services.roles.grant(admin, tenantId, { platform: 'teams', userId: sharedId, name: 'Tom Teams' }, 'technician')).toBe('granted');

    expect(await services.roles.rolesOf({ platform: 'teams', tenantId, userId: sharedId })).toEqual(new Set(['technician']));
    expect(await services.roles.rolesOf({ platform: 'slack', tenantId, userId: sharedId })).toEqual(new Set());
    // Revoking from the Slack user takes nothing from the Teams one.
    expect(await services.roles.revoke(tenantId, { platform: 'slack', userId: sharedId }, 'technician')).toBe('not_held');
    expect(await services.roles.rolesOf({ platform: 'teams', tenantId, userId: sharedId })).toEqual(new Set(['technician']));
  });

  it('the same id may hold the same role once per platform, and list tells them apart', async () => {
    await services.roles.grant(admin, tenantId, { platform: 'teams', userId: sharedId, name: 'Tom Teams' }, 'manager');
    expect(await services.roles.grant(admin, tenantId, { platform: 'slack', userId: sharedId, name: 'Sam Slack' }, 'manager')).toBe('granted');
    expect(await services.roles.grant(admin, tenantId, { platform: 'slack', userId: sharedId, name: 'Sam Slack' }, 'manager')).toBe('already');

    const granted = (await services.roles.list(tenantId)).filter((holder) => !holder.bootstrap);
    expect(granted).toEqual([
      { platform: 'slack', userId: sharedId, userName: 'Sam Slack', role: 'manager', bootstrap: false },
      { platform: 'teams', userId: sharedId, userName: 'Tom Teams', role: 'manager', bootstrap: false },
    ]);
    expect(await services.roles.revoke(tenantId, { platform: 'teams', userId: sharedId }, 'manager')).toBe('revoked');
    expect(await services.roles.rolesOf({ platform: 'slack', tenantId, userId: sharedId })).toEqual(new Set(['manager']));
  });

  it('Teams ids compare without case (object ids are GUIDs); Slack ids are kept as they are', async () => {
    await services.roles.grant(admin, tenantId, { platform: 'teams', userId: sharedId.toUpperCase(), name: null }, 'technician');
    expect(await services.roles.rolesOf({ platform: 'teams', tenantId, userId: sharedId })).toEqual(new Set(['technician']));
    await services.roles.grant(admin, tenantId, { platform: 'slack', userId: 'U0TECH', name: null }, 'technician');
    expect((await services.roles.list(tenantId)).find((holder) => holder.platform === 'slack' && !holder.bootstrap)?.userId).toBe('U0TECH');
  });

  it('bootstrap admins are admins of their own platform only, and cannot be revoked in chat', async () => {
    expect(await services.roles.rolesOf({ platform: 'teams', tenantId, userId: bootstrapTeams })).toEqual(new Set(['admin']));
    expect(await services.roles.rolesOf({ platform: 'slack', tenantId, userId: bootstrapTeams })).toEqual(new Set());
    expect(await services.roles.rolesOf({ platform: 'slack', tenantId, userId: bootstrapSlack })).toEqual(new Set(['admin']));
    expect(await services.roles.rolesOf({ platform: 'teams', tenantId, userId: bootstrapSlack })).toEqual(new Set());
    expect(services.roles.isBootstrapAdmin({ platform: 'teams', userId: bootstrapTeams })).toBe(true);

    await expect(services.roles.revoke(tenantId, { platform: 'teams', userId: bootstrapTeams }, 'admin')).rejects.toThrow('ADMIN_USER_IDS');
    expect(await services.roles.revoke(tenantId, { platform: 'slack', userId: bootstrapTeams }, 'admin')).toBe('not_held');
    expect((await services.roles.list(tenantId)).filter((holder) => holder.bootstrap)).toEqual([
      { platform: 'teams', userId: bootstrapTeams, userName: null, role: 'admin', bootstrap: true },
      { platform: 'slack', userId: bootstrapSlack, userName: null, role: 'admin', bootstrap: true },
    ]);
  });

  it('a principal without a user id holds nothing', async () => {
    expect(await services.roles.rolesOf({ platform: 'teams', tenantId, userId: null })).toEqual(new Set());
  });
});

/** A destination as a door would remember it; the address is the door's own business. */
function destination(platform: 'teams' | 'slack', conversationId: string, userId: string | null = null): ConversationToSave {
  return {
    platform,
    tenantId,
    channelId: platform === 'teams' ? 'msteams' : 'slack',
    conversationId,
    conversationType: userId ? 'personal' : 'channel',
    teamId: null,
    serviceUrl: platform === 'teams' ? 'https://smba.trafficmanager.net/emea/' : 'https://slack.com/api/',
    userId,
    address: platform === 'teams' ? { conversation: { id: conversationId }, serviceUrl: 'https://smba.trafficmanager.net/emea/' } : { channel: conversationId, team: 'T0CONTOSO' },
  };
}

describe('destinations per platform', () => {
  it('remembers the platform and hands the opaque address back as it was given', async () => {
    await services.conversations.remember(destination('slack', 'C0TECHS'));
    expect(await services.conversations.find(tenantId, 'slack', 'C0TECHS')).toMatchObject({ platform: 'slack', address: { channel: 'C0TECHS', team: 'T0CONTOSO' } });
  });

  it('the personal chat of a principal is found on their platform only', async () => {
    await services.conversations.remember(destination('teams', `a:personal-${sharedId}`, sharedId));
    await services.conversations.remember(destination('slack', 'D0SAM', sharedId));

    expect(await services.conversations.findPersonalChat(tenantId, { platform: 'teams', userId: sharedId })).toMatchObject({ platform: 'teams', conversationId: `a:personal-${sharedId}` });
    expect(await services.conversations.findPersonalChat(tenantId, { platform: 'slack', userId: sharedId })).toMatchObject({ platform: 'slack', conversationId: 'D0SAM' });
    expect(await services.conversations.findPersonalChat(tenantId, { platform: 'slack', userId: 'U0NOBODY' })).toBeNull();
  });

  it('a tenant has one destination per audience, whatever the platform: setting it in Slack takes it from Teams, and back', async () => {
    await services.conversations.remember(destination('teams', '19:techs@thread.tacv2'));
    await services.conversations.remember(destination('slack', 'C0TECHS'));

    await services.conversations.setAudience(tenantId, 'msteams', '19:techs@thread.tacv2', 'technicians');
    expect(await services.conversations.findAudience(tenantId, 'technicians')).toMatchObject({ platform: 'teams', conversationId: '19:techs@thread.tacv2' });

    expect(await services.conversations.setAudience(tenantId, 'slack', 'C0TECHS', 'technicians')).toEqual({ previousAudience: null, takenFrom: 1 });
    expect(await services.conversations.findAudience(tenantId, 'technicians')).toMatchObject({ platform: 'slack', conversationId: 'C0TECHS' });
    expect((await services.conversations.find(tenantId, 'msteams', '19:techs@thread.tacv2'))?.audience).toBeNull();

    expect(await services.conversations.setAudience(tenantId, 'msteams', '19:techs@thread.tacv2', 'technicians')).toEqual({ previousAudience: null, takenFrom: 1 });
    expect(await services.conversations.findAudience(tenantId, 'technicians')).toMatchObject({ platform: 'teams' });
  });
});
