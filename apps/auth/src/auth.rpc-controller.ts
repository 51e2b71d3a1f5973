import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Subjects, VerifyKeyRequest } from '@switchboard/contracts';
import { RpcErrorFilter } from '@switchboard/messaging';
import { AccountService } from './accounts/account.service';
import { authAdminDispatcher } from './admin/auth-admin.handlers';
import { AuthAdminService } from './admin/auth-admin.service';
import { KeyVerificationService } from './keys/key-verification.service';

@Controller()
@UseFilters(RpcErrorFilter)
export class AuthRpcController {
  private readonly admin;

  constructor(
    private readonly keys: KeyVerificationService,
    admin: AuthAdminService,
    private readonly accounts: AccountService,
  ) {
    this.admin = authAdminDispatcher(admin);
  }

  @MessagePattern(Subjects.AuthVerifyKey)
  verify(@Payload() payload: unknown) {
    return this.keys.verify(VerifyKeyRequest.parse(payload));
  }

  @MessagePattern(Subjects.AuthAccount)
  account(@Payload() payload: unknown) {
    return this.accounts.dispatch(payload);
  }

  @MessagePattern(Subjects.AuthAdmin)
  adminOp(@Payload() payload: unknown) {
    return this.admin.dispatch(payload);
  }
}
