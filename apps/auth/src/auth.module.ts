import { Module } from '@nestjs/common';
import { AccountRepository } from './accounts/account.repository';
import { AccountService } from './accounts/account.service';
import { OrgAdminService } from './orgs/org-admin.service';
import { OrgRepository } from './orgs/org.repository';
import { PasswordHasher } from './accounts/password.hasher';
import { AuthAdminService } from './admin/auth-admin.service';
import { GroupRepository } from './admin/group.repository';
import { TokenRepository } from './admin/token.repository';
import { UserRepository } from './admin/user.repository';
import { AuthRpcController } from './auth.rpc-controller';
import { BudgetSpendRepository } from './budgets/budget-spend.repository';
import { Budgets } from './budgets/budget';
import { KeyVerificationService } from './keys/key-verification.service';
import { KeyRepository } from './keys/key.repository';
import { SignInRepository } from './sign-in/sign-in.repository';
import { SignInService } from './sign-in/sign-in.service';
import { TokenExpiryService } from './keys/token-expiry.service';

/** Users, groups, tokens (API keys); accounts (sign-in, 2FA, a user's own tokens); key verification; quota and rate-limit policy. Needs DbModule and MessagingModule. */
@Module({
  controllers: [AuthRpcController],
  providers: [
    KeyRepository,
    UserRepository,
    TokenRepository,
    GroupRepository,
    KeyVerificationService,
    AuthAdminService,
    OrgRepository,
    OrgAdminService,
    TokenExpiryService,
    BudgetSpendRepository,
    Budgets,
    PasswordHasher,
    AccountRepository,
    AccountService,
    SignInRepository,
    SignInService,
  ],
})
export class AuthModule {}
