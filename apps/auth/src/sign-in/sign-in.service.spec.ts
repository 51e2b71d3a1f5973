import type { AppConfig } from '@switchboard/config';
import type { User } from '@switchboard/db';
import type { AuthAdminService } from '../admin/auth-admin.service';
import type { Users } from '../admin/user.repository';
import type { SignInStore } from './sign-in.repository';
import { SignInService } from './sign-in.service';

const ISS = 'https://idp.example.com';

/** Who an OIDC identity signs in as: the link, then (opt-in) a verified email, then registration, else refused. */
describe('SignInService.oidcLogin', () => {
  let users: User[];
  let links: { id: number; userId: number; issuer: string; subject: string }[];
  const make = (config: Partial<AppConfig>) => {
    const usersRepo = {
      byId: async (id: number) => users.find((u) => u.id === id) ?? null,
      byName: async (name: string) => users.find((u) => u.name === name) ?? null,
    } as unknown as Users;
    const store = {
      identity: async (issuer: string, subject: string) => links.find((l) => l.issuer === issuer && l.subject === subject) ?? null,
      link: async (userId: number, issuer: string, subject: string) => void links.push({ id: links.length + 1, userId, issuer, subject }),
      touchIdentity: async () => undefined,
    } as unknown as SignInStore;
    const admin = {
      createUser: async (b: { name: string }) => {
        const u = { id: users.length + 1, name: b.name, role: 'user', status: 'active' } as User;
        users.push(u);
        return u;
      },
    } as unknown as AuthAdminService;
    return new SignInService(usersRepo, store, admin, { REGISTRATION_ENABLED: false, OIDC_LINK_BY_EMAIL: false, ...config } as AppConfig);
  };
  beforeEach(() => {
    users = [{ id: 1, name: 'ann@example.com', role: 'admin', status: 'active' } as User];
    links = [];
  });

  it('links by a verified email only when OIDC_LINK_BY_EMAIL is on; an unverified email never links', async () => {
    const id = { issuer: ISS, subject: 's1', email: 'Ann@example.com', emailVerified: false };
    await expect(make({ OIDC_LINK_BY_EMAIL: true }).oidcLogin(id)).rejects.toMatchObject({ code: 'oidc_not_linked' });
    await expect(make({ OIDC_LINK_BY_EMAIL: false }).oidcLogin({ ...id, emailVerified: true })).rejects.toMatchObject({ code: 'oidc_not_linked' });
    await expect(make({ OIDC_LINK_BY_EMAIL: true }).oidcLogin({ ...id, emailVerified: true })).resolves.toMatchObject({ id: 1, role: 'admin' });
    expect(links).toEqual([expect.objectContaining({ userId: 1, issuer: ISS, subject: 's1' })]);
    // from now on the link decides, whatever the email says
    await expect(make({}).oidcLogin({ issuer: ISS, subject: 's1', emailVerified: false })).resolves.toMatchObject({ id: 1 });
  });

  it('registers a new user only with REGISTRATION_ENABLED, named after preferred_username (suffixed when taken)', async () => {
    const id = { issuer: ISS, subject: 's2', emailVerified: true, email: 'ann@example.com', preferredUsername: 'ann@example.com' };
    await expect(make({}).oidcLogin(id)).rejects.toMatchObject({ code: 'oidc_not_linked' });
    const p = await make({ REGISTRATION_ENABLED: true }).oidcLogin(id);
    expect(p).toMatchObject({ id: 2, name: 'ann@example.com-2', role: 'user' });
    const odd = await make({ REGISTRATION_ENABLED: true }).oidcLogin({ issuer: ISS, subject: 'a|b c', emailVerified: false });
    expect(odd.name).toBe('oidc-a-b-c');
  });
});
