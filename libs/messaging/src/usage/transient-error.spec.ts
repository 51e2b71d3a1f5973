import { isTransientStoreError } from './transient-error';

describe('isTransientStoreError', () => {
  it.each([
    ['Postgres starting up (driver adapter text)', new Error('Raw query failed. Code: `57P03`. Message: `the database system is starting up`')],
    ['Prisma cannot reach the server', Object.assign(new Error("Can't reach database server at 127.0.0.1:5432"), { code: 'P1001' })],
    ['pg connection terminated', new Error('Connection terminated unexpectedly')],
    ['socket refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['admin shutdown SQLSTATE as code', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['deadlock', Object.assign(new Error('deadlock detected'), { code: '40P01' })],
    ['wrapped in a cause', new Error('batch failed', { cause: Object.assign(new Error('x'), { code: '08006' }) })],
  ])('%s → transient', (_what, e) => expect(isTransientStoreError(e)).toBe(true));

  it.each([
    ['integer out of range', Object.assign(new Error('value "3000000000" is out of range for type integer'), { code: '22003' })],
    ['NUL in text', new Error('invalid byte sequence for encoding "UTF8": 0x00')],
    ['constraint violation', Object.assign(new Error('violates check constraint'), { code: '23514' })],
    ['not an error', 'connection refused'],
    ['nothing', undefined],
  ])('%s → not transient (the record itself is bad)', (_what, e) => expect(isTransientStoreError(e)).toBe(false));
});
