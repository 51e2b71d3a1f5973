import type { ExecutionContext } from '@nestjs/common';
import type { AppConfig } from '@switchboard/config';
import { DomainError } from '@switchboard/contracts';
import { throttleKey } from '../auth/failure-throttle';
import { AdminAuthGuard } from './admin-auth.guard';

const KEY = 'the-admin-key-0123456789';
const ctx = (ip: string, headers: Record<string, string>) => ({ switchToHttp: () => ({ getRequest: () => ({ ip, headers }) }) }) as unknown as ExecutionContext;
const outcome = (g: AdminAuthGuard, ip: string, headers: Record<string, string>): number => {
  try {
    return g.canActivate(ctx(ip, headers)) ? 200 : 0;
  } catch (e) {
    return (e as DomainError).status;
  }
};

describe('AdminAuthGuard', () => {
  let now = 1_000_000;
  beforeEach(() => {
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  it('accepts the key as Bearer or X-Admin-Key, nothing else', () => {
    const g = new AdminAuthGuard({ ADMIN_KEY: KEY } as AppConfig);
    expect(outcome(g, '1.1.1.1', { authorization: `Bearer ${KEY}` })).toBe(200);
    expect(outcome(g, '1.1.1.1', { authorization: `bearer   ${KEY}` })).toBe(200);
    expect(outcome(g, '1.1.1.1', { 'x-admin-key': KEY })).toBe(200);
    expect(outcome(g, '1.1.1.1', { authorization: 'Bearer ', 'x-admin-key': KEY })).toBe(200);
    expect(outcome(g, '1.1.1.1', { authorization: `Bearer ${KEY}x` })).toBe(401);
    expect(outcome(g, '1.1.1.1', { authorization: KEY })).toBe(401);
    expect(outcome(g, '1.1.1.1', {})).toBe(401);
  });

  it('refuses an address after 20 failures in a minute, even with the right key, until the minute is over', () => {
    const g = new AdminAuthGuard({ ADMIN_KEY: KEY } as AppConfig);
    for (let i = 0; i < 20; i++) expect(outcome(g, '6.6.6.6', { authorization: `Bearer guess-${i}` })).toBe(401);
    expect(outcome(g, '6.6.6.6', { authorization: `Bearer ${KEY}` })).toBe(429);
    try {
      g.canActivate(ctx('6.6.6.6', {}));
    } catch (e) {
      expect((e as DomainError).details.retryAfterSeconds).toBe(60);
    }
    expect(outcome(g, '7.7.7.7', { authorization: `Bearer ${KEY}` })).toBe(200);
    now += 60_000;
    expect(outcome(g, '6.6.6.6', { authorization: `Bearer ${KEY}` })).toBe(200);
  });

  it('a success forgets earlier failures; failures spread over more than a minute never lock', () => {
    const g = new AdminAuthGuard({ ADMIN_KEY: KEY } as AppConfig);
    for (let i = 0; i < 19; i++) outcome(g, '5.5.5.5', {});
    expect(outcome(g, '5.5.5.5', { 'x-admin-key': KEY })).toBe(200);
    for (let i = 0; i < 19; i++) outcome(g, '5.5.5.5', {});
    now += 61_000;
    for (let i = 0; i < 19; i++) outcome(g, '5.5.5.5', {});
    expect(outcome(g, '5.5.5.5', { 'x-admin-key': KEY })).toBe(200);
  });

  it('counts IPv6 clients per /64 and IPv4-mapped addresses as IPv4', () => {
    expect(throttleKey('203.0.113.5')).toBe('203.0.113.5');
    expect(throttleKey('::ffff:203.0.113.5')).toBe('203.0.113.5');
    expect(throttleKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(throttleKey('2001:DB8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(throttleKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(throttleKey('::1')).toBe('0:0:0:0::/64');
    const g = new AdminAuthGuard({ ADMIN_KEY: KEY } as AppConfig);
    for (let i = 0; i < 20; i++) outcome(g, `2001:db8:1:2::${i + 1}`, {});
    expect(outcome(g, '2001:db8:1:2::ffff', { 'x-admin-key': KEY })).toBe(429);
    expect(outcome(g, '2001:db8:1:3::1', { 'x-admin-key': KEY })).toBe(200);
  });
});
