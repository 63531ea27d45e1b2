import { Get, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  createPublicIncidentSchema,
  CreatePublicIncidentInput,
  createStatusSubscriptionSchema,
  CreateStatusSubscriptionInput,
  maintenanceUpdateSchema,
  MaintenanceUpdateInput,
  oneClickUnsubscribeSchema,
  publicIncidentUpdateSchema,
  PublicIncidentUpdateInput,
  scheduleMaintenanceSchema,
  ScheduleMaintenanceInput,
  setComponentStateSchema,
  SetComponentStateInput,
  statusFeedQuerySchema,
  statusTokenSchema,
} from '@portal/contracts';
import { PortalController, Public, Roles } from '../auth/auth.decorators';
import { UuidOr404Pipe } from '../common/uuid-param.pipe';
import { ZodBody, ZodQuery } from '../common/zod-body.pipe';
import { RateLimit } from '../rate-limits/rate-limit.guard';
import { FeedFilter, StatusPageService } from './status-page.service';

/** Set once the feed is made, so an error still answers as JSON. Public data: caches may keep it a minute. */
function feedAnswer(res: Response, type: string, xml: string): string {
  res.setHeader('Content-Type', `${type}; charset=utf-8`);
  res.setHeader('Cache-Control', 'public, max-age=60');
  return xml;
}

const tokenQuery = z.strictObject({ token: statusTokenSchema.shape.token });

/** The public status page's feeds and API: no sign-in, rate-limited per address, vendor-wide data only. */
@ApiTags('status page')
@PortalController('status')
export class StatusFeedsController {
  constructor(private readonly status: StatusPageService) {}

  @Public()
  @RateLimit('status-read:ip')
  @Get('history.rss')
  @ApiProduces('application/rss+xml')
  async rss(@ZodQuery(statusFeedQuerySchema) q: FeedFilter, @Res({ passthrough: true }) res: Response) {
    return feedAnswer(res, 'application/rss+xml', await this.status.feed('rss', q));
  }

  @Public()
  @RateLimit('status-read:ip')
  @Get('history.atom')
  @ApiProduces('application/atom+xml')
  async atom(@ZodQuery(statusFeedQuerySchema) q: FeedFilter, @Res({ passthrough: true }) res: Response) {
    return feedAnswer(res, 'application/atom+xml', await this.status.feed('atom', q));
  }
}

@ApiTags('status page')
@PortalController('api/v1/status')
export class StatusPagePublicController {
  constructor(private readonly status: StatusPageService) {}

  @Public()
  @RateLimit('status-read:ip')
  @Get()
  page() {
    return this.status.page();
  }

  /** Email (double opt-in), Slack incoming webhook or signed webhook; no account needed. */
  @Public()
  @RateLimit('subscribe:ip')
  @Post('subscriptions')
  @HttpCode(202)
  subscribe(@ZodBody(createStatusSubscriptionSchema, 'CreateStatusSubscription') body: CreateStatusSubscriptionInput) {
    return this.status.subscribe(body);
  }

  @Public()
  @RateLimit('status-token:ip')
  @Post('subscriptions/confirm')
  @HttpCode(200)
  confirm(@ZodBody(statusTokenSchema, 'StatusSubscriptionToken') body: { token: string }) {
    return this.status.confirm(body.token);
  }

  /** RFC 8058 one-click: the List-Unsubscribe URL, POSTed with `List-Unsubscribe=One-Click` (or `{}` by the page). */
  @Public()
  @RateLimit('status-token:ip')
  @Post('subscriptions/unsubscribe')
  @HttpCode(200)
  unsubscribe(@ZodQuery(tokenQuery) q: { token: string }, @ZodBody(oneClickUnsubscribeSchema, 'OneClickUnsubscribe') body: { 'List-Unsubscribe'?: string }) {
    return this.status.unsubscribe(q.token, body['List-Unsubscribe'] ? 'one_click' : 'page');
  }
}

const Id = (what: string) => Param('id', new UuidOr404Pipe(what));

/** Vendor staff post public incidents and maintenance and set component states. */
@ApiTags('status page')
@PortalController('api/v1/status-page')
export class StatusPageStaffController {
  constructor(private readonly status: StatusPageService) {}

  @Roles('support_engineer')
  @Get('posts')
  posts() {
    return this.status.staffPosts();
  }

  @Roles('support_engineer')
  @Put('components/:id')
  setComponent(@Id('status-page component') id: string, @ZodBody(setComponentStateSchema, 'SetComponentState') body: SetComponentStateInput) {
    return this.status.setComponentState(id, body);
  }

  @Roles('support_engineer')
  @Post('incidents')
  createIncident(@ZodBody(createPublicIncidentSchema, 'CreatePublicIncident') body: CreatePublicIncidentInput) {
    return this.status.createIncident(body);
  }

  @Roles('support_engineer')
  @Post('incidents/:id/updates')
  updateIncident(@Id('public incident') id: string, @ZodBody(publicIncidentUpdateSchema, 'PublicIncidentUpdate') body: PublicIncidentUpdateInput) {
    return this.status.updateIncident(id, body);
  }

  @Roles('support_engineer')
  @Post('maintenance')
  scheduleMaintenance(@ZodBody(scheduleMaintenanceSchema, 'ScheduleMaintenance') body: ScheduleMaintenanceInput) {
    return this.status.scheduleMaintenance(body);
  }

  @Roles('support_engineer')
  @Post('maintenance/:id/updates')
  updateMaintenance(@Id('maintenance') id: string, @ZodBody(maintenanceUpdateSchema, 'MaintenanceUpdate') body: MaintenanceUpdateInput) {
    return this.status.updateMaintenance(id, body);
  }
}
