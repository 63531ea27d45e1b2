import { Delete, Get, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { credentialDigestSubscriptionSchema, type CredentialDigestSubscriptionInput } from '@portal/contracts';
import { PortalController, Roles } from '../auth/auth.decorators';
import { NoBody, ZodBody } from '../common/zod-body.pipe';
import { CredentialHealthService } from './credential-health.service';

@ApiTags('credential health')
@ApiBearerAuth()
@PortalController('api/v1/credential-health')
export class CredentialHealthController {
  constructor(private readonly health: CredentialHealthService) {}

  @Roles('customer_admin')
  @Get()
  report(@Req() req: Request) {
    return this.health.report(req.principal!.actor.homeTenantId!);
  }

  /** The weekly digest and expiry alerts go to this address. */
  @Roles('customer_admin')
  @Put('subscription')
  subscribe(@Req() req: Request, @ZodBody(credentialDigestSubscriptionSchema, 'CredentialDigestSubscription') body: CredentialDigestSubscriptionInput) {
    return this.health.subscribe(req.principal!.actor.homeTenantId!, body.email);
  }

  @Roles('customer_admin')
  @Delete('subscription')
  unsubscribe(@Req() req: Request, @NoBody() _body: unknown) {
    return this.health.unsubscribe(req.principal!.actor.homeTenantId!);
  }
}
