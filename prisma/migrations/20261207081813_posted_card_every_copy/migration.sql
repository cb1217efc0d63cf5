/*
  Warnings:

  - A unique constraint covering the columns `[kind,subject,channelId,conversationId,activityId]` on the table `PostedCard` will be added. If there are existing duplicate values, this will fail.

*/
-- DropIndex
DROP INDEX "PostedCard_kind_subject_channelId_conversationId_key";

-- CreateIndex
CREATE UNIQUE INDEX "PostedCard_kind_subject_channelId_conversationId_activityId_key" ON "PostedCard"("kind", "subject", "channelId", "conversationId", "activityId");
