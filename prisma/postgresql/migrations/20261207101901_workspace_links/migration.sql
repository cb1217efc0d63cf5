-- CreateTable
CREATE TABLE "WorkspaceLink" (
    "platform" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "linkedBy" TEXT NOT NULL,
    "linkedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WorkspaceLink_pkey" PRIMARY KEY ("platform","workspaceId")
);

-- CreateTable
CREATE TABLE "WorkspaceLinkCode" (
    "codeHash" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WorkspaceLinkCode_pkey" PRIMARY KEY ("codeHash")
);

-- CreateIndex
CREATE INDEX "WorkspaceLink_tenantId_idx" ON "WorkspaceLink"("tenantId");

-- CreateIndex
CREATE INDEX "WorkspaceLinkCode_expiresAt_idx" ON "WorkspaceLinkCode"("expiresAt");
