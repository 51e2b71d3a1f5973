import { Inject, Injectable } from '@nestjs/common';
import { DomainError, notFound, type CreateOrg, type UpdateOrg } from '@switchboard/contracts';
import { Prisma, type Org } from '@switchboard/db';
import type { z } from 'zod';
import { OrgRepository, type Orgs } from './org.repository';

const orgView = (o: Org, userCount: number) => ({
  id: o.id,
  name: o.name,
  userCount,
  createdAt: o.createdAt.toISOString(),
  updatedAt: o.updatedAt.toISOString(),
});

const duplicate = (name: string) => new DomainError('invalid_request', 400, `name: organisation "${name}" already exists`, { field: 'name' });

function parseId(id: string | undefined): number {
  const n = Number(id);
  if (!Number.isInteger(n) || n <= 0 || n > 2_147_483_647) throw notFound('organisation');
  return n;
}

/** The unique index decides a name clash (also a concurrent one): a 400 on `name`. */
function uniqueViolation(err: unknown, name: string): never {
  if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') throw duplicate(name);
  throw err;
}

/** `/api/orgs`: organisations, audited. Only roots reach it (the route table's `rootOnly`, checked by the gateway). */
@Injectable()
export class OrgAdminService {
  constructor(@Inject(OrgRepository) private readonly orgs: Orgs) {}

  async list() {
    const rows = await this.orgs.list();
    return { data: rows.map((o) => orgView(o, o.userCount)), total: rows.length };
  }

  private async find(id: string | undefined) {
    const org = await this.orgs.byId(parseId(id));
    if (!org) throw notFound('organisation');
    return org;
  }

  async create(b: z.infer<typeof CreateOrg>, actor: string) {
    const o = await this.orgs
      .create(b.name, (o) => ({ actor, action: 'create', entity: 'org', entityId: o.id, after: orgView(o, 0) }))
      .catch((e) => uniqueViolation(e, b.name));
    return orgView(o, 0);
  }

  async rename(id: string | undefined, b: z.infer<typeof UpdateOrg>, actor: string) {
    const before = await this.find(id);
    const o = await this.orgs
      .rename(before.id, b.name, (o) => ({
        actor,
        action: 'update',
        entity: 'org',
        entityId: o.id,
        before: orgView(before, before.userCount),
        after: orgView(o, before.userCount),
      }))
      .catch((e) => uniqueViolation(e, b.name));
    return orgView(o, before.userCount);
  }

  async delete(id: string | undefined, actor: string) {
    const before = await this.find(id);
    const result = await this.orgs.deleteIfEmpty(before.id, {
      actor,
      action: 'delete',
      entity: 'org',
      entityId: before.id,
      before: orgView(before, before.userCount),
    });
    if (result === 'has-users') {
      throw new DomainError('conflict', 409, `organisation "${before.name}" still has users: move or delete them first`);
    }
    if (result === 'owns-things') {
      throw new DomainError('conflict', 409, `organisation "${before.name}" still owns groups or MCP servers: move or delete them first`);
    }
    return { deleted: true as const };
  }
}
