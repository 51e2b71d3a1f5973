-- AlterTable
ALTER TABLE "users" ADD COLUMN     "maxConcurrency" INTEGER,
ADD COLUMN     "rpm" INTEGER,
ADD COLUMN     "tpm" INTEGER;
