-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_HandoffBatch" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "issuedBy" TEXT NOT NULL,
    "issuedByName" TEXT,
    "sealedCodes" TEXT,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "HandoffBatch_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_HandoffBatch" ("createdAt", "expiresAt", "id", "issuedBy", "issuedByName", "sealedCodes", "tenantId") SELECT "createdAt", "expiresAt", "id", "issuedBy", "issuedByName", "sealedCodes", "tenantId" FROM "HandoffBatch";
DROP TABLE "HandoffBatch";
ALTER TABLE "new_HandoffBatch" RENAME TO "HandoffBatch";
CREATE INDEX "HandoffBatch_expiresAt_idx" ON "HandoffBatch"("expiresAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
