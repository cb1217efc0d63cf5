// Technicians assigned to locations (`assign LOCATION @technician`): a location with assigned
// technicians gets its hand-off cards by direct message to each of them, not in the
// technicians channel. Locations match without regard to case or surrounding spaces.
import type { Database } from '../../prisma/store.ts';
import { ensureTenant } from '../conversations/conversation-repository.ts';
import { actorLabel, type Actor } from '../shared/actor.ts';
import type { Clock } from '../shared/clock.ts';
import { DomainError } from '../shared/errors.ts';
import { newId } from '../shared/random.ts';
import { locationKeyOf } from '../time-zones.ts';
import { canonicalUserId, type Platform } from './principal.ts';

export interface LocationAssignment {
  location: string;
  locationKey: string;
  platform: Platform;
  userId: string;
  userName: string | null;
}

const platformOf = (platform: string): Platform => (platform === 'slack' ? 'slack' : 'teams');

export function createLocationAssignments(db: Database, clock: Clock) {
  return {
    async assign(actor: Actor, tenantId: string, locationText: string, person: { platform: Platform; userId: string; name: string | null }): Promise<'assigned' | 'already'> {
      const location = locationText.trim();
      if (location === '') throw new DomainError('invalid_input', 'Say which location.');
      const locationKey = locationKeyOf(location);
      const { platform } = person;
      const userId = canonicalUserId(platform, person.userId);
      await ensureTenant(db, tenantId);
      const existing = await db.locationAssignment.findUnique({ where: { tenantId_locationKey_platform_userId: { tenantId, locationKey, platform, userId } } });
      if (existing) return 'already';
      await db.locationAssignment.create({
        data: { id: newId(), tenantId, location, locationKey, platform, userId, userName: person.name, assignedBy: actorLabel(actor), createdAt: clock.now() },
      });
      return 'assigned';
    },

    async unassign(tenantId: string, locationText: string, person: { platform: Platform; userId: string }): Promise<'unassigned' | 'not_assigned'> {
      const removed = await db.locationAssignment.deleteMany({
        where: { tenantId, locationKey: locationKeyOf(locationText), platform: person.platform, userId: canonicalUserId(person.platform, person.userId) },
      });
      return removed.count > 0 ? 'unassigned' : 'not_assigned';
    },

    async list(tenantId: string): Promise<LocationAssignment[]> {
      const rows = await db.locationAssignment.findMany({ where: { tenantId }, orderBy: [{ locationKey: 'asc' }, { userName: 'asc' }, { userId: 'asc' }] });
      return rows.map((row) => ({ location: row.location, locationKey: row.locationKey, platform: platformOf(row.platform), userId: row.userId, userName: row.userName }));
    },

    /** The technicians of each assigned location, by location key (trimmed, lower case). */
    async byLocation(tenantId: string): Promise<Map<string, LocationAssignment[]>> {
      const byKey = new Map<string, LocationAssignment[]>();
      for (const row of await this.list(tenantId)) byKey.set(row.locationKey, [...(byKey.get(row.locationKey) ?? []), row]);
      return byKey;
    },
  };
}

export type LocationAssignments = ReturnType<typeof createLocationAssignments>;
