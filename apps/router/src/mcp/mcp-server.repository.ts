import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, recordAudit, type AuditEntry, type McpServer } from '@switchboard/db';

export type McpServerWrite = Omit<Prisma.McpServerUncheckedCreateInput, 'createdAt' | 'updatedAt'>;

/** The stored MCP servers; every write carries the audit record its caller builds from the row. */
@Injectable()
export class McpServerRepository {
  constructor(private readonly prisma: PrismaService) {}

  all(): Promise<McpServer[]> {
    return this.prisma.mcpServer.findMany({ orderBy: { name: 'asc' } });
  }

  find(name: string): Promise<McpServer | null> {
    return this.prisma.mcpServer.findUnique({ where: { name } });
  }

  /** null when the name is taken. */
  async create(data: McpServerWrite, audit: (row: McpServer) => AuditEntry): Promise<McpServer | null> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const row = await tx.mcpServer.create({ data });
        await recordAudit(tx, audit(row));
        return row;
      });
    } catch (e) {
      if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002') return null;
      throw e;
    }
  }

  update(name: string, data: Partial<McpServerWrite>, audit: (row: McpServer) => AuditEntry): Promise<McpServer> {
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.mcpServer.update({ where: { name }, data });
      await recordAudit(tx, audit(row));
      return row;
    });
  }

  /** false when there was none. */
  remove(name: string, audit: AuditEntry): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.mcpServer.deleteMany({ where: { name } });
      if (count) await recordAudit(tx, audit);
      return count > 0;
    });
  }
}

export type McpServers = Pick<McpServerRepository, 'all' | 'find' | 'create' | 'update' | 'remove'>;
