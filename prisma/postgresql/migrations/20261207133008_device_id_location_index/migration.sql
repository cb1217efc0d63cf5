-- CreateIndex
CREATE INDEX "Device_id_location_idx" ON "Device"("id", "location");
