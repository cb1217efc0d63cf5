-- AlterTable
ALTER TABLE "ProvisioningAttempt" ADD COLUMN     "countsForMac" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "source" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "tenantId" TEXT,
ALTER COLUMN "mac" DROP NOT NULL;

-- CreateIndex
CREATE INDEX "ProvisioningAttempt_source_at_idx" ON "ProvisioningAttempt"("source", "at");

-- CreateIndex
CREATE INDEX "ProvisioningAttempt_tenantId_at_idx" ON "ProvisioningAttempt"("tenantId", "at");

-- CreateIndex
CREATE INDEX "ProvisioningAttempt_at_idx" ON "ProvisioningAttempt"("at");
