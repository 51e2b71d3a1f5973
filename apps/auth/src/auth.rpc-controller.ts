import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AdminRequest, Subjects, VerifyKeyRequest } from '@switchboard/contracts';
import { RpcErrorFilter } from '@switchboard/messaging';
import { AuthAdminService } from './admin/auth-admin.service';
import { KeyVerificationService } from './keys/key-verification.service';

@Controller()
@UseFilters(RpcErrorFilter)
export class AuthRpcController {
  constructor(
    private readonly keys: KeyVerificationService,
    private readonly admin: AuthAdminService,
  ) {}

  @MessagePattern(Subjects.AuthVerifyKey)
  verify(@Payload() payload: unknown) {
    return this.keys.verify(VerifyKeyRequest.parse(payload).keyHash);
  }

  @MessagePattern(Subjects.AuthAdmin)
  adminOp(@Payload() payload: unknown) {
    return this.admin.handle(AdminRequest.parse(payload));
  }
}
