import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Subjects, VerifyKeyRequest } from '@switchboard/contracts';
import { RpcErrorFilter } from '@switchboard/messaging';
import { AccountService } from './accounts/account.service';
import { authAdminDispatcher } from './admin/auth-admin.handlers';
import { AuthAdminService } from './admin/auth-admin.service';
import { OrgAdminService } from './orgs/org-admin.service';
import { KeyVerificationService } from './keys/key-verification.service';
import { SignInService } from './sign-in/sign-in.service';

@Controller()
@UseFilters(RpcErrorFilter)
export class AuthRpcController {
  private readonly admin;

  constructor(
    private readonly keys: KeyVerificationService,
    admin: AuthAdminService,
    orgs: OrgAdminService,
    private readonly accounts: AccountService,
    private readonly signIn: SignInService,
  ) {
    this.admin = authAdminDispatcher(admin, orgs);
  }

  @MessagePattern(Subjects.AuthVerifyKey)
  verify(@Payload() payload: unknown) {
    return this.keys.verify(VerifyKeyRequest.parse(payload));
  }

  @MessagePattern(Subjects.AuthAccount)
  account(@Payload() payload: unknown) {
    return this.accounts.dispatch(payload);
  }

  @MessagePattern(Subjects.AuthSignIn)
  signInOp(@Payload() payload: unknown) {
    return this.signIn.dispatch(payload);
  }

  @MessagePattern(Subjects.AuthAdmin)
  adminOp(@Payload() payload: unknown) {
    return this.admin.dispatch(payload);
  }
}
