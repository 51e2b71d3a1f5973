import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, recordAudit, type AuditEntry, type PluginConfig } from '@switchboard/db';

/** Stored plugin configurations (a missing row: the plugin's defaults, switched off). */
@Injectable()
export class PluginConfigRepository {
  constructor(private readonly prisma: PrismaService) {}

  all(): Promise<PluginConfig[]> {
    return this.prisma.pluginConfig.findMany();
  }

  find(name: string): Promise<PluginConfig | null> {
    return this.prisma.pluginConfig.findUnique({ where: { name } });
  }

  /** Writes the whole configuration with the audit record its caller builds from the row. */
  async put(name: string, config: Record<string, unknown>, audit: (row: PluginConfig) => AuditEntry): Promise<PluginConfig> {
    return this.prisma.$transaction(async (tx) => {
      const json = config as Prisma.InputJsonValue;
      const row = await tx.pluginConfig.upsert({ where: { name }, create: { name, config: json }, update: { config: json } });
      await recordAudit(tx, audit(row));
      return row;
    });
  }
}

export type PluginConfigs = Pick<PluginConfigRepository, 'all' | 'find' | 'put'>;
