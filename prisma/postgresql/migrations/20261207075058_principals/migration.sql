/*
  Warnings:

  - A unique constraint covering the columns `[tenantId,platform,userAadObjectId,role]` on the table `RoleGrant` will be added. If there are existing duplicate values, this will fail.

*/
-- DropIndex
DROP INDEX "ConversationReference_tenantId_userAadObjectId_idx";

-- DropIndex
DROP INDEX "RoleGrant_tenantId_userAadObjectId_role_key";

-- AlterTable
ALTER TABLE "ConversationReference" ADD COLUMN     "platform" TEXT NOT NULL DEFAULT 'teams';

-- AlterTable
ALTER TABLE "RoleGrant" ADD COLUMN     "platform" TEXT NOT NULL DEFAULT 'teams';

-- CreateIndex
CREATE INDEX "ConversationReference_tenantId_platform_userAadObjectId_idx" ON "ConversationReference"("tenantId", "platform", "userAadObjectId");

-- CreateIndex
CREATE UNIQUE INDEX "RoleGrant_tenantId_platform_userAadObjectId_role_key" ON "RoleGrant"("tenantId", "platform", "userAadObjectId", "role");
