import { Get, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { businessCalendarSchema, incidentContactsSchema } from '@portal/contracts';
import type { BusinessCalendarInput } from '@portal/contracts';
import type { IncidentContact } from '@portal/contracts';
import { ALL_ROLES, PortalController, Roles } from '../auth/auth.decorators';
import { ZodBody } from '../common/zod-body.pipe';
import { TenantsService } from './tenants.service';

@ApiTags('tenant')
@ApiBearerAuth()
@PortalController('api/v1')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  /** Who I am, my tenant, and (for vendor staff) the tenants I may see. */
  @Roles(...ALL_ROLES)
  @Get('me')
  me(@Req() req: Request) {
    return this.tenants.me(req.principal!);
  }

  @Roles('customer_admin', 'customer_viewer')
  @Get('tenant')
  current(@Req() req: Request) {
    return this.tenants.current(req.principal!.actor.homeTenantId!);
  }

  @Roles('customer_admin')
  @Put('tenant/contacts')
  updateContacts(@Req() req: Request, @ZodBody(incidentContactsSchema, 'IncidentContacts') body: { contacts: IncidentContact[] }) {
    return this.tenants.updateContacts(req.principal!.actor.homeTenantId!, body.contacts);
  }

  /** Business hours and holidays in the tenant's time zone; business-day SLA clocks follow them. */
  @Roles('customer_admin')
  @Put('tenant/calendar')
  updateCalendar(@Req() req: Request, @ZodBody(businessCalendarSchema, 'BusinessCalendar') body: BusinessCalendarInput) {
    return this.tenants.updateCalendar(req.principal!.actor.homeTenantId!, body);
  }
}
