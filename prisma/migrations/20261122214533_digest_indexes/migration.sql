-- DropIndex
DROP INDEX "AuditEvent_tenantId_at_idx";

-- DropIndex
DROP INDEX "Device_tenantId_location_idx";

-- CreateIndex
CREATE INDEX "AuditEvent_tenantId_action_at_idx" ON "AuditEvent"("tenantId", "action", "at");

-- CreateIndex
CREATE INDEX "Device_tenantId_location_state_idx" ON "Device"("tenantId", "location", "state");
