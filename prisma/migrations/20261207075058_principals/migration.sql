-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_ConversationReference" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "platform" TEXT NOT NULL DEFAULT 'teams',
    "channelId" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "conversationType" TEXT,
    "teamId" TEXT,
    "serviceUrl" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "audience" TEXT,
    "userAadObjectId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ConversationReference_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_ConversationReference" ("audience", "channelId", "conversationId", "conversationType", "createdAt", "id", "reference", "serviceUrl", "teamId", "tenantId", "updatedAt", "userAadObjectId") SELECT "audience", "channelId", "conversationId", "conversationType", "createdAt", "id", "reference", "serviceUrl", "teamId", "tenantId", "updatedAt", "userAadObjectId" FROM "ConversationReference";
DROP TABLE "ConversationReference";
ALTER TABLE "new_ConversationReference" RENAME TO "ConversationReference";
CREATE INDEX "ConversationReference_tenantId_audience_idx" ON "ConversationReference"("tenantId", "audience");
CREATE INDEX "ConversationReference_tenantId_platform_userAadObjectId_idx" ON "ConversationReference"("tenantId", "platform", "userAadObjectId");
CREATE UNIQUE INDEX "ConversationReference_channelId_conversationId_key" ON "ConversationReference"("channelId", "conversationId");
CREATE TABLE "new_RoleGrant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "platform" TEXT NOT NULL DEFAULT 'teams',
    "userAadObjectId" TEXT NOT NULL,
    "userName" TEXT,
    "role" TEXT NOT NULL,
    "grantedBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "RoleGrant_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_RoleGrant" ("createdAt", "grantedBy", "id", "role", "tenantId", "userAadObjectId", "userName") SELECT "createdAt", "grantedBy", "id", "role", "tenantId", "userAadObjectId", "userName" FROM "RoleGrant";
DROP TABLE "RoleGrant";
ALTER TABLE "new_RoleGrant" RENAME TO "RoleGrant";
CREATE UNIQUE INDEX "RoleGrant_tenantId_platform_userAadObjectId_role_key" ON "RoleGrant"("tenantId", "platform", "userAadObjectId", "role");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
