-- CreateIndex
CREATE INDEX "Device_mac_idx" ON "Device"("mac");
