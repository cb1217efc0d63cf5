-- CreateIndex
CREATE INDEX "Device_tenantId_model_firmwareVersion_idx" ON "Device"("tenantId", "model", "firmwareVersion");
