-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN "actorName" TEXT;
