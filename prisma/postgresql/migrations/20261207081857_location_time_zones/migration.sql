-- CreateTable
CREATE TABLE "LocationTimeZone" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "location" TEXT NOT NULL,
    "locationKey" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LocationTimeZone_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "LocationTimeZone_tenantId_locationKey_key" ON "LocationTimeZone"("tenantId", "locationKey");

-- AddForeignKey
ALTER TABLE "LocationTimeZone" ADD CONSTRAINT "LocationTimeZone_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
