-- CreateTable
CREATE TABLE "FirmwareRelease" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "family" TEXT NOT NULL,
    "component" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "versionKey" TEXT NOT NULL,
    "releasedAt" DATETIME NOT NULL,
    "label" TEXT NOT NULL,
    "requires" TEXT,
    "addedBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "FirmwareRelease_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FirmwareUpdate" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "deviceId" TEXT NOT NULL,
    "mac" TEXT NOT NULL,
    "component" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "fromVersion" TEXT,
    "mode" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'scheduled',
    "notBefore" DATETIME NOT NULL,
    "notAfter" DATETIME,
    "batchKey" TEXT NOT NULL,
    "batchLabel" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "busyCount" INTEGER NOT NULL DEFAULT 0,
    "detail" TEXT,
    "requestedBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME,
    CONSTRAINT "FirmwareUpdate_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "FirmwareUpdate_deviceId_fkey" FOREIGN KEY ("deviceId") REFERENCES "Device" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FirmwareSettings" (
    "tenantId" TEXT NOT NULL PRIMARY KEY,
    "phase" TEXT NOT NULL DEFAULT 'general',
    "windowDay" INTEGER NOT NULL DEFAULT 0,
    "windowStart" TEXT NOT NULL DEFAULT '01:00',
    "windowHours" INTEGER NOT NULL DEFAULT 3,
    "pausedUntil" DATETIME,
    "locationPhases" TEXT NOT NULL DEFAULT '{}',
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "FirmwareSettings_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DeviceInventory" (
    "deviceId" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "manufacturer" TEXT,
    "teamsVersion" TEXT,
    "components" TEXT NOT NULL DEFAULT '{}',
    "updatePhase" TEXT,
    "reportedAt" DATETIME NOT NULL,
    CONSTRAINT "DeviceInventory_deviceId_fkey" FOREIGN KEY ("deviceId") REFERENCES "Device" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "FirmwareRelease_tenantId_family_component_versionKey_key" ON "FirmwareRelease"("tenantId", "family", "component", "versionKey");

-- CreateIndex
CREATE INDEX "FirmwareUpdate_tenantId_status_idx" ON "FirmwareUpdate"("tenantId", "status");

-- CreateIndex
CREATE INDEX "FirmwareUpdate_deviceId_status_idx" ON "FirmwareUpdate"("deviceId", "status");

-- CreateIndex
CREATE INDEX "FirmwareUpdate_tenantId_batchKey_idx" ON "FirmwareUpdate"("tenantId", "batchKey");

-- CreateIndex
CREATE INDEX "DeviceInventory_tenantId_idx" ON "DeviceInventory"("tenantId");
