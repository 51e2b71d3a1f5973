import { Injectable } from '@nestjs/common';
import { Subjects, type SignInRequest } from '@switchboard/contracts';
import { Bus } from '@switchboard/messaging';

/** The gateway's side of auth.signin.v1 (auth owns identity links and passkeys, and verifies WebAuthn responses). */
@Injectable()
export class SignInDirectory {
  constructor(private readonly bus: Bus) {}

  call<T>(req: SignInRequest): Promise<T> {
    return this.bus.request<T>(Subjects.AuthSignIn, req);
  }
}
