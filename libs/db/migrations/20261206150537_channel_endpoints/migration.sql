-- AlterTable
ALTER TABLE "channels" ADD COLUMN     "endpoints" TEXT[];
