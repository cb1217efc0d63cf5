-- CreateTable
CREATE TABLE "SignInQueueEntry" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "deviceId" TEXT NOT NULL,
    "locationKey" TEXT NOT NULL,
    "page" INTEGER NOT NULL,
    "queuedAt" DATETIME NOT NULL,
    "renewals" INTEGER NOT NULL DEFAULT 0,
    "markedDoneAt" DATETIME,
    "markedDoneBy" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SignInQueueEntry_deviceId_fkey" FOREIGN KEY ("deviceId") REFERENCES "Device" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PlannedAccount" (
    "deviceId" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "account" TEXT NOT NULL,
    "accountKey" TEXT NOT NULL,
    "setBy" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "PlannedAccount_deviceId_fkey" FOREIGN KEY ("deviceId") REFERENCES "Device" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SignInSetting" (
    "tenantId" TEXT NOT NULL PRIMARY KEY,
    "autoSignIn" BOOLEAN NOT NULL DEFAULT true,
    "updatedBy" TEXT,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "SignInQueueEntry_deviceId_key" ON "SignInQueueEntry"("deviceId");

-- CreateIndex
CREATE INDEX "SignInQueueEntry_tenantId_locationKey_page_idx" ON "SignInQueueEntry"("tenantId", "locationKey", "page");

-- CreateIndex
CREATE INDEX "PlannedAccount_tenantId_accountKey_idx" ON "PlannedAccount"("tenantId", "accountKey");
