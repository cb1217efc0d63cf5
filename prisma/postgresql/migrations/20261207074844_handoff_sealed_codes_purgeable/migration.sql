-- AlterTable
ALTER TABLE "HandoffBatch" ALTER COLUMN "sealedCodes" DROP NOT NULL;
