import { Delete, Get, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { createApiTokenSchema, CreateApiTokenInput } from '@portal/contracts';
import { NoBody, ZodBody } from '../common/zod-body.pipe';
import { UuidOr404Pipe } from '../common/uuid-param.pipe';
import { PortalController, Roles } from './auth.decorators';
import { ApiTokensService } from './api-tokens.service';

@ApiTags('api-tokens')
@ApiBearerAuth()
@PortalController('api/v1/api-tokens')
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Roles('customer_admin')
  @Get()
  list(@Req() req: Request) {
    return this.tokens.list(req.principal!.actor.homeTenantId!).then((items) => ({ items }));
  }

  /** The token value is in this response only. */
  @Roles('customer_admin')
  @Post()
  create(@Req() req: Request, @ZodBody(createApiTokenSchema, 'CreateApiToken') body: CreateApiTokenInput) {
    return this.tokens.create(req.principal!.actor.homeTenantId!, body, req.principal!.actor.label);
  }

  @Roles('customer_admin')
  @Delete(':id')
  revoke(@Req() req: Request, @Param('id', new UuidOr404Pipe('API token')) id: string, @NoBody() _body: unknown) {
    return this.tokens.revoke(req.principal!.actor.homeTenantId!, id);
  }
}
