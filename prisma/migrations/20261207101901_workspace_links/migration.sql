-- CreateTable
CREATE TABLE "WorkspaceLink" (
    "platform" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "linkedBy" TEXT NOT NULL,
    "linkedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("platform", "workspaceId")
);

-- CreateTable
CREATE TABLE "WorkspaceLinkCode" (
    "codeHash" TEXT NOT NULL PRIMARY KEY,
    "platform" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "WorkspaceLink_tenantId_idx" ON "WorkspaceLink"("tenantId");

-- CreateIndex
CREATE INDEX "WorkspaceLinkCode_expiresAt_idx" ON "WorkspaceLinkCode"("expiresAt");
