import { Subjects, type AdminReply } from '@switchboard/contracts';
import type { Bus } from '@switchboard/messaging';
import { DocsController } from './docs.controller';
import { ROUTES } from './openapi.document';

/** A bus whose owners answer docs.schemas with the given schema names (or fail, for the names in `failing`). */
function busOf(failing: string[] = []) {
  const asked: string[] = [];
  const bus = {
    request: async (subject: string): Promise<AdminReply> => {
      asked.push(subject);
      if (failing.includes(subject)) throw new Error('timeout');
      return { status: 200, body: { [`From_${subject}`]: { type: 'object' } } };
    },
  } as unknown as Bus;
  return { bus, asked };
}

describe('DocsController', () => {
  it('asks each owning service once, then serves the cached document', async () => {
    const { bus, asked } = busOf();
    const docs = new DocsController(bus);
    const first = await docs.docs();
    await docs.docs();
    expect(asked).toEqual([Subjects.AuthAdmin, Subjects.RouterAdmin, Subjects.BillingAdmin]);
    expect(Object.keys((first.components as { schemas: object }).schemas)).toHaveLength(3);
  });

  it('asks again while an owner has not answered (the document is not cached incomplete)', async () => {
    const { bus, asked } = busOf([Subjects.BillingAdmin]);
    const docs = new DocsController(bus);
    await docs.docs();
    await docs.docs();
    expect(asked.filter((s) => s === Subjects.BillingAdmin)).toHaveLength(2);
  });

  it('documents every admin GET the gateway serves for billing (redemptions, ledger, reconciliation)', () => {
    const gets = ROUTES.filter((r) => r.method === 'get').map((r) => r.path);
    expect(gets).toEqual(expect.arrayContaining(['/api/redemptions', '/api/ledger', '/api/ledger/reconciliation']));
  });
});
