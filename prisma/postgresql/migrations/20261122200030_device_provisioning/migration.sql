-- CreateTable
CREATE TABLE "ProvisioningAttempt" (
    "id" TEXT NOT NULL,
    "mac" TEXT NOT NULL,
    "succeeded" BOOLEAN NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProvisioningAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ProvisioningAttempt_mac_at_idx" ON "ProvisioningAttempt"("mac", "at");

-- CreateIndex
CREATE INDEX "VerificationCode_codeHash_idx" ON "VerificationCode"("codeHash");
