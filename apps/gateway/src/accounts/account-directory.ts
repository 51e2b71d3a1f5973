import { Injectable } from '@nestjs/common';
import { Subjects, type AccountPrincipal, type AccountRequest } from '@switchboard/contracts';
import { Bus } from '@switchboard/messaging';

/** The gateway's side of auth.account.v1 (auth owns users, password hashes and second factors). */
@Injectable()
export class AccountDirectory {
  constructor(private readonly bus: Bus) {}

  call<T>(req: AccountRequest): Promise<T> {
    return this.bus.request<T>(Subjects.AuthAccount, req);
  }

  login(username: string, password: string, totp: string | undefined): Promise<AccountPrincipal> {
    return this.call({ op: 'login', username, password, ...(totp === undefined ? {} : { totp }) });
  }

  /** The user of a live session as auth knows it now (role, status), or null: it is gone or disabled. */
  whoami(userId: number): Promise<AccountPrincipal | null> {
    return this.call({ op: 'whoami', userId });
  }
}
