-- CreateTable
CREATE TABLE "SipImport" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "accepted" INTEGER NOT NULL,
    "report" TEXT NOT NULL,

    CONSTRAINT "SipImport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SipAccount" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "importId" TEXT NOT NULL,
    "line" INTEGER NOT NULL,
    "username" TEXT NOT NULL,
    "hardwareId" TEXT NOT NULL,
    "region" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "error" TEXT,
    "batchId" TEXT,
    "onboardedAt" TIMESTAMP(3),
    "deadlineKind" TEXT NOT NULL DEFAULT 'onboarded',
    "warnedLeads" TEXT NOT NULL DEFAULT '',
    "expiredNoticeAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SipAccount_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SipBatch" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "region" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "gatewayBatchId" TEXT,
    "size" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "submittedAt" TIMESTAMP(3),
    "completedAt" TIMESTAMP(3),
    "nextPollAt" TIMESTAMP(3),
    "polls" INTEGER NOT NULL DEFAULT 0,
    "finished" INTEGER NOT NULL DEFAULT 0,
    "progressAt" TIMESTAMP(3),
    "stuckReportedAt" TIMESTAMP(3),
    "refusal" TEXT,

    CONSTRAINT "SipBatch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SipSettings" (
    "tenantId" TEXT NOT NULL,
    "defaultRegion" TEXT,
    "checklist" TEXT NOT NULL DEFAULT '{}',
    "locationRegions" TEXT NOT NULL DEFAULT '{}',
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SipSettings_pkey" PRIMARY KEY ("tenantId")
);

-- CreateTable
CREATE TABLE "SipSimulatedBatch" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "region" TEXT NOT NULL,
    "submittedAt" TIMESTAMP(3) NOT NULL,
    "items" TEXT NOT NULL,

    CONSTRAINT "SipSimulatedBatch_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SipImport_tenantId_createdAt_idx" ON "SipImport"("tenantId", "createdAt");

-- CreateIndex
CREATE INDEX "SipAccount_tenantId_status_idx" ON "SipAccount"("tenantId", "status");

-- CreateIndex
CREATE INDEX "SipAccount_batchId_idx" ON "SipAccount"("batchId");

-- CreateIndex
CREATE UNIQUE INDEX "SipAccount_importId_hardwareId_key" ON "SipAccount"("importId", "hardwareId");

-- CreateIndex
CREATE UNIQUE INDEX "SipBatch_gatewayBatchId_key" ON "SipBatch"("gatewayBatchId");

-- CreateIndex
CREATE INDEX "SipBatch_tenantId_status_idx" ON "SipBatch"("tenantId", "status");

-- CreateIndex
CREATE INDEX "SipBatch_status_nextPollAt_idx" ON "SipBatch"("status", "nextPollAt");

-- CreateIndex
CREATE INDEX "SipSimulatedBatch_tenantId_region_submittedAt_idx" ON "SipSimulatedBatch"("tenantId", "region", "submittedAt");
