-- AlterTable
ALTER TABLE "users" ADD COLUMN     "sessionEpoch" INTEGER NOT NULL DEFAULT 0;
