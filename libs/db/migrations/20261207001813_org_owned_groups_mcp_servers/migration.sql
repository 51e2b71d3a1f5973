-- AlterTable
ALTER TABLE "groups" ADD COLUMN     "orgId" INTEGER;

-- AlterTable
ALTER TABLE "mcp_servers" ADD COLUMN     "orgId" INTEGER;

-- CreateIndex
CREATE INDEX "groups_orgId_idx" ON "groups"("orgId");

-- CreateIndex
CREATE INDEX "mcp_servers_orgId_idx" ON "mcp_servers"("orgId");

-- AddForeignKey
ALTER TABLE "groups" ADD CONSTRAINT "groups_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "orgs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mcp_servers" ADD CONSTRAINT "mcp_servers_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "orgs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
