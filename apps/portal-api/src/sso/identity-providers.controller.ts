import { Delete, Get, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { PortalController, Roles } from '../auth/auth.decorators';
import { UuidOr404Pipe } from '../common/uuid-param.pipe';
import { NoBody, ZodBody } from '../common/zod-body.pipe';
import {
  CreateIdentityProviderInput,
  createIdentityProviderSchema,
  LinkAccountInput,
  linkAccountSchema,
  UpdateIdentityProviderInput,
  updateIdentityProviderSchema,
} from './dto/identity-provider.dto';
import { IdentityProvidersService } from './identity-providers.service';

/** A tenant's identity providers, managed by its customer_admin. Secrets are write-only. */
@ApiTags('identity-providers')
@ApiBearerAuth()
@PortalController('api/v1/identity-providers')
export class IdentityProvidersController {
  constructor(private readonly idps: IdentityProvidersService) {}

  @Roles('customer_admin')
  @Get()
  list(@Req() req: Request) {
    return this.idps.list(req.principal!.actor.homeTenantId!).then((items) => ({ items }));
  }

  @Roles('customer_admin')
  @Get(':id')
  get(@Req() req: Request, @Param('id', new UuidOr404Pipe('identity provider')) id: string) {
    return this.idps.get(req.principal!.actor.homeTenantId!, id);
  }

  @Roles('customer_admin')
  @Post()
  create(@Req() req: Request, @ZodBody(createIdentityProviderSchema, 'CreateIdentityProvider') body: CreateIdentityProviderInput) {
    return this.idps.create(req.principal!.actor.homeTenantId!, body, req.principal!.actor.label);
  }

  @Roles('customer_admin')
  @Patch(':id')
  update(
    @Req() req: Request,
    @Param('id', new UuidOr404Pipe('identity provider')) id: string,
    @ZodBody(updateIdentityProviderSchema, 'UpdateIdentityProvider') body: UpdateIdentityProviderInput,
  ) {
    return this.idps.update(req.principal!.actor.homeTenantId!, id, body, req.principal!.actor.label);
  }

  /**
   * Links an existing account of the tenant to this provider (an sso.account_linked event): bound at once to the
   * given subject, or authorised for this provider's next sign-in that vouches for the account's email. The only
   * way an existing account reaches another provider: a sign-in never links or moves an account by itself.
   */
  @Roles('customer_admin')
  @Post(':id/links')
  link(
    @Req() req: Request,
    @Param('id', new UuidOr404Pipe('identity provider')) id: string,
    @ZodBody(linkAccountSchema, 'LinkIdentityProviderAccount') body: LinkAccountInput,
  ) {
    return this.idps.link(req.principal!.actor.homeTenantId!, id, body);
  }

  @Roles('customer_admin')
  @Delete(':id')
  remove(@Req() req: Request, @Param('id', new UuidOr404Pipe('identity provider')) id: string, @NoBody() _body: unknown) {
    return this.idps.remove(req.principal!.actor.homeTenantId!, id);
  }
}
