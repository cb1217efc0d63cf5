-- CreateTable
CREATE TABLE "CodeWarning" (
    "id" TEXT NOT NULL,
    "codeId" TEXT NOT NULL,
    "leadMinutes" INTEGER NOT NULL,
    "sentAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CodeWarning_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DailyReport" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DailyReport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "CodeWarning_codeId_leadMinutes_key" ON "CodeWarning"("codeId", "leadMinutes");

-- CreateIndex
CREATE UNIQUE INDEX "DailyReport_tenantId_kind_day_key" ON "DailyReport"("tenantId", "kind", "day");
