import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Subjects, VerifyKeyRequest } from '@switchboard/contracts';
import { RpcErrorFilter } from '@switchboard/messaging';
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
  ) {
    this.admin = authAdminDispatcher(admin);
  }

  @MessagePattern(Subjects.AuthVerifyKey)
  verify(@Payload() payload: unknown) {
    return this.keys.verify(VerifyKeyRequest.parse(payload));
  }

  @MessagePattern(Subjects.AuthAdmin)
  adminOp(@Payload() payload: unknown) {
    return this.admin.dispatch(payload);
  }
}
