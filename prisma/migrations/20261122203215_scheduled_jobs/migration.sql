-- CreateTable
CREATE TABLE "CodeWarning" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "codeId" TEXT NOT NULL,
    "leadMinutes" INTEGER NOT NULL,
    "sentAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "DailyReport" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "CodeWarning_codeId_leadMinutes_key" ON "CodeWarning"("codeId", "leadMinutes");

-- CreateIndex
CREATE UNIQUE INDEX "DailyReport_tenantId_kind_day_key" ON "DailyReport"("tenantId", "kind", "day");
