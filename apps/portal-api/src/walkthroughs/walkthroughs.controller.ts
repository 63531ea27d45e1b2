import { Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiTags } from '@nestjs/swagger';
import {
  bookWalkthroughSchema,
  rescheduleWalkthroughSchema,
  walkthroughSlotsQuerySchema,
  workingHoursSchema,
  type BookWalkthroughInput,
  type RescheduleWalkthroughInput,
  type WalkthroughSlotsQuery,
  type WorkingHoursInput,
} from '@portal/contracts';
import { ALL_ROLES, PortalController, Roles } from '../auth/auth.decorators';
import { UuidOr404Pipe } from '../common/uuid-param.pipe';
import { API_ERROR_SCHEMA, NoBody, ZodBody, ZodQuery } from '../common/zod-body.pipe';
import { WalkthroughsService } from './walkthroughs.service';

const IncidentId = () => Param('id', new UuidOr404Pipe('incident'));

/** The walkthrough of a published review: read by everyone who reads the review, booked by a customer admin or the tenant's CSM. */
@ApiTags('post-incident reviews')
@ApiBearerAuth()
@ApiConflictResponse({ description: 'the slot was just taken, a walkthrough is already booked, or the review is not published', schema: API_ERROR_SCHEMA })
@PortalController('api/v1/incidents/:id/walkthrough')
export class WalkthroughsController {
  constructor(private readonly walkthroughs: WalkthroughsService) {}

  @Roles(...ALL_ROLES)
  @Get()
  get(@IncidentId() id: string) {
    return this.walkthroughs.state(id);
  }

  @Roles('customer_admin', 'csm')
  @Get('slots')
  slots(@IncidentId() id: string, @ZodQuery(walkthroughSlotsQuerySchema) q: WalkthroughSlotsQuery) {
    return this.walkthroughs.slots(id, q);
  }

  @Roles('customer_admin', 'csm')
  @Post()
  book(@IncidentId() id: string, @ZodBody(bookWalkthroughSchema, 'BookWalkthrough') body: BookWalkthroughInput) {
    return this.walkthroughs.book(id, body);
  }

  @Roles('customer_admin', 'csm')
  @Patch()
  reschedule(@IncidentId() id: string, @ZodBody(rescheduleWalkthroughSchema, 'RescheduleWalkthrough') body: RescheduleWalkthroughInput) {
    return this.walkthroughs.reschedule(id, body);
  }

  @Roles('customer_admin', 'csm')
  @Delete()
  @HttpCode(200)
  cancel(@IncidentId() id: string, @NoBody() _body: unknown) {
    return this.walkthroughs.cancel(id);
  }
}

/** A CSM's own working hours (the slots offered for walkthroughs), in their IANA time zone. */
@ApiTags('post-incident reviews')
@ApiBearerAuth()
@PortalController('api/v1/me/working-hours')
export class WorkingHoursController {
  constructor(private readonly walkthroughs: WalkthroughsService) {}

  @Roles('csm')
  @Get()
  get() {
    return this.walkthroughs.myWorkingHours();
  }

  @Roles('csm')
  @Put()
  put(@ZodBody(workingHoursSchema, 'WorkingHours') body: WorkingHoursInput) {
    return this.walkthroughs.setMyWorkingHours(body);
  }
}
