-- CreateTable
CREATE TABLE "LocationAssignment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "location" TEXT NOT NULL,
    "locationKey" TEXT NOT NULL,
    "platform" TEXT NOT NULL DEFAULT 'teams',
    "userId" TEXT NOT NULL,
    "userName" TEXT,
    "assignedBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "LocationAssignment_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "LocationAssignment_tenantId_locationKey_platform_userId_key" ON "LocationAssignment"("tenantId", "locationKey", "platform", "userId");
