import { Injectable } from '@nestjs/common';
import type { RoutingTable } from '@switchboard/contracts';
import { PrismaService } from '@switchboard/db';

const asStringMap = (v: unknown): Record<string, string> =>
  v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) : {};

/** The snapshot gateways select from locally: every channel (keys still encrypted) and alias. */
@Injectable()
export class RoutingTableService {
  constructor(private readonly prisma: PrismaService) {}

  async snapshot(): Promise<RoutingTable> {
    const [channels, aliases] = await Promise.all([
      this.prisma.channel.findMany({ where: { enabled: true }, include: { keys: true }, orderBy: { id: 'asc' } }),
      this.prisma.alias.findMany(),
    ]);
    return {
      version: Date.now(),
      channels: channels.map((c) => ({
        id: c.id,
        name: c.name,
        type: c.type,
        baseUrl: c.baseUrl,
        keyMode: c.keyMode === 'round_robin' ? 'round_robin' : 'random',
        keys: c.keys
          .sort((a, b) => a.position - b.position)
          .map((k) => ({ index: k.position, ciphertext: k.keyCiphertext, status: k.status as 'enabled' | 'disabled' | 'auto_disabled' })),
        models: c.models,
        modelMapping: asStringMap(c.modelMapping),
        groups: c.groups,
        priority: c.priority,
        weight: c.weight,
        headers: asStringMap(c.headers),
        paramOverride: (c.paramOverride && typeof c.paramOverride === 'object' && !Array.isArray(c.paramOverride) ? c.paramOverride : {}) as Record<string, unknown>,
        statusCodeMapping: Object.fromEntries(Object.entries(asStringMap(c.statusCodeMapping)).map(([k, v]) => [k, Number(v)])),
        timeouts: (c.timeouts ?? null) as RoutingTable['channels'][number]['timeouts'],
        autoBan: c.autoBan,
      })),
      aliases: aliases.map((a) => ({
        name: a.name,
        targets: Array.isArray(a.targets) ? (a.targets as { model: string; weight: number }[]) : [],
        fallbacks: a.fallbacks,
      })),
    };
  }
}
