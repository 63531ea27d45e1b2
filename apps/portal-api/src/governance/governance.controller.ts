import { Get, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { PortalController, Roles } from '../auth/auth.decorators';
import { ZodQuery } from '../common/zod-body.pipe';
import { Db } from '../database/db.service';
import { GovernanceService } from './governance.service';

const querySchema = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).optional() });

/** The tenant's audit trail: sign-ins, configuration changes, incident changes, evidence reads. */
@ApiTags('governance')
@ApiBearerAuth()
@PortalController('api/v1/governance-events')
export class GovernanceController {
  constructor(
    private readonly db: Db,
    private readonly governance: GovernanceService,
  ) {}

  @Roles('customer_admin')
  @Get()
  async list(@Req() req: Request, @ZodQuery(querySchema) q: { limit?: number }) {
    const tenantId = req.principal!.actor.homeTenantId!;
    return { items: await this.db.tx((em) => this.governance.forTenant(em, tenantId, q.limit ?? 200)) };
  }
}
