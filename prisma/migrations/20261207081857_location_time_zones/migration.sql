-- CreateTable
CREATE TABLE "LocationTimeZone" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "location" TEXT NOT NULL,
    "locationKey" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "LocationTimeZone_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "LocationTimeZone_tenantId_locationKey_key" ON "LocationTimeZone"("tenantId", "locationKey");
