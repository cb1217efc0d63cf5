-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ProvisioningAttempt" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "mac" TEXT,
    "succeeded" BOOLEAN NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "source" TEXT NOT NULL DEFAULT '',
    "tenantId" TEXT,
    "countsForMac" BOOLEAN NOT NULL DEFAULT true
);
INSERT INTO "new_ProvisioningAttempt" ("at", "id", "mac", "succeeded") SELECT "at", "id", "mac", "succeeded" FROM "ProvisioningAttempt";
DROP TABLE "ProvisioningAttempt";
ALTER TABLE "new_ProvisioningAttempt" RENAME TO "ProvisioningAttempt";
CREATE INDEX "ProvisioningAttempt_mac_at_idx" ON "ProvisioningAttempt"("mac", "at");
CREATE INDEX "ProvisioningAttempt_source_at_idx" ON "ProvisioningAttempt"("source", "at");
CREATE INDEX "ProvisioningAttempt_tenantId_at_idx" ON "ProvisioningAttempt"("tenantId", "at");
CREATE INDEX "ProvisioningAttempt_at_idx" ON "ProvisioningAttempt"("at");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
