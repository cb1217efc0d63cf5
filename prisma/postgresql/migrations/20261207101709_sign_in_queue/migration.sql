-- CreateTable
CREATE TABLE "SignInQueueEntry" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "deviceId" TEXT NOT NULL,
    "locationKey" TEXT NOT NULL,
    "page" INTEGER NOT NULL,
    "queuedAt" TIMESTAMP(3) NOT NULL,
    "renewals" INTEGER NOT NULL DEFAULT 0,
    "markedDoneAt" TIMESTAMP(3),
    "markedDoneBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SignInQueueEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PlannedAccount" (
    "deviceId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "account" TEXT NOT NULL,
    "accountKey" TEXT NOT NULL,
    "setBy" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PlannedAccount_pkey" PRIMARY KEY ("deviceId")
);

-- CreateTable
CREATE TABLE "SignInSetting" (
    "tenantId" TEXT NOT NULL,
    "autoSignIn" BOOLEAN NOT NULL DEFAULT true,
    "updatedBy" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SignInSetting_pkey" PRIMARY KEY ("tenantId")
);

-- CreateIndex
CREATE UNIQUE INDEX "SignInQueueEntry_deviceId_key" ON "SignInQueueEntry"("deviceId");

-- CreateIndex
CREATE INDEX "SignInQueueEntry_tenantId_locationKey_page_idx" ON "SignInQueueEntry"("tenantId", "locationKey", "page");

-- CreateIndex
CREATE INDEX "PlannedAccount_tenantId_accountKey_idx" ON "PlannedAccount"("tenantId", "accountKey");

-- AddForeignKey
ALTER TABLE "SignInQueueEntry" ADD CONSTRAINT "SignInQueueEntry_deviceId_fkey" FOREIGN KEY ("deviceId") REFERENCES "Device"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PlannedAccount" ADD CONSTRAINT "PlannedAccount_deviceId_fkey" FOREIGN KEY ("deviceId") REFERENCES "Device"("id") ON DELETE CASCADE ON UPDATE CASCADE;
