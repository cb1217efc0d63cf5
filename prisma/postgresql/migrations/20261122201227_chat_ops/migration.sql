-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN     "leaseHolder" TEXT,
ADD COLUMN     "leaseUntil" TIMESTAMP(3),
ADD COLUMN     "progress" TEXT;

-- AlterTable
ALTER TABLE "VerificationCode" ADD COLUMN     "batchId" TEXT;

-- CreateTable
CREATE TABLE "RoleGrant" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "userAadObjectId" TEXT NOT NULL,
    "userName" TEXT,
    "role" TEXT NOT NULL,
    "grantedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RoleGrant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PostedCard" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "activityId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PostedCard_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HandoffBatch" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "issuedBy" TEXT NOT NULL,
    "issuedByName" TEXT,
    "sealedCodes" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "HandoffBatch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HandledActivity" (
    "key" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "HandledActivity_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "RoleGrant_tenantId_userAadObjectId_role_key" ON "RoleGrant"("tenantId", "userAadObjectId", "role");

-- CreateIndex
CREATE INDEX "PostedCard_tenantId_kind_subject_idx" ON "PostedCard"("tenantId", "kind", "subject");

-- CreateIndex
CREATE UNIQUE INDEX "PostedCard_kind_subject_channelId_conversationId_key" ON "PostedCard"("kind", "subject", "channelId", "conversationId");

-- CreateIndex
CREATE INDEX "HandoffBatch_expiresAt_idx" ON "HandoffBatch"("expiresAt");

-- CreateIndex
CREATE INDEX "HandledActivity_at_idx" ON "HandledActivity"("at");

-- CreateIndex
CREATE INDEX "VerificationCode_batchId_idx" ON "VerificationCode"("batchId");

-- AddForeignKey
ALTER TABLE "RoleGrant" ADD CONSTRAINT "RoleGrant_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PostedCard" ADD CONSTRAINT "PostedCard_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HandoffBatch" ADD CONSTRAINT "HandoffBatch_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
