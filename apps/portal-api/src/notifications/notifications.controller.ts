import { Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  ConnectHubInput,
  connectHubSchema,
  ConnectSlackInput,
  connectSlackSchema,
  ConnectTeamsInput,
  connectTeamsSchema,
  CreateWebhookEndpointInput,
  createWebhookEndpointSchema,
  UpdateWebhookEndpointInput,
  updateWebhookEndpointSchema,
} from '@portal/contracts';
import { ALL_ROLES, PortalController, Roles } from '../auth/auth.decorators';
import { UuidOr404Pipe } from '../common/uuid-param.pipe';
import { NoBody, ZodBody } from '../common/zod-body.pipe';
import { NotificationsService } from './notifications.service';

/**
 * Incident communications: who was told about an incident and when (with a retry), the tenant's Slack
 * connection and its signed webhook endpoints with their delivery logs. Secrets are write-only.
 */
@ApiTags('notifications')
@ApiBearerAuth()
@PortalController('api/v1')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Roles(...ALL_ROLES)
  @Get('incidents/:id/notifications')
  forIncident(@Param('id', new UuidOr404Pipe('incident')) id: string) {
    return this.notifications.forIncident(id);
  }

  @Roles('customer_admin', 'support_engineer')
  @Post('notification-deliveries/:id/retry')
  @HttpCode(200)
  retry(@Param('id', new UuidOr404Pipe('delivery')) id: string, @NoBody() _body: unknown) {
    return this.notifications.retry(id);
  }

  @Roles('customer_admin')
  @Get('integrations/slack')
  slack() {
    return this.notifications.slackConnection();
  }

  @Roles('customer_admin')
  @Put('integrations/slack')
  connectSlack(@ZodBody(connectSlackSchema, 'ConnectSlack') body: ConnectSlackInput) {
    return this.notifications.connectSlack(body);
  }

  @Roles('customer_admin')
  @Delete('integrations/slack')
  @HttpCode(204)
  disconnectSlack(@NoBody() _body: unknown) {
    return this.notifications.disconnectSlack();
  }

  @Roles('customer_admin')
  @Post('integrations/slack/test')
  @HttpCode(200)
  testSlack(@NoBody() _body: unknown) {
    return this.notifications.testSlack();
  }

  @Roles('customer_admin')
  @Get('integrations/teams')
  teams() {
    return this.notifications.teamsConnection();
  }

  @Roles('customer_admin')
  @Put('integrations/teams')
  connectTeams(@ZodBody(connectTeamsSchema, 'ConnectTeams') body: ConnectTeamsInput) {
    return this.notifications.connectTeams(body);
  }

  @Roles('customer_admin')
  @Delete('integrations/teams')
  @HttpCode(204)
  disconnectTeams(@NoBody() _body: unknown) {
    return this.notifications.disconnectTeams();
  }

  @Roles('customer_admin')
  @Post('integrations/teams/test')
  @HttpCode(200)
  testTeams(@NoBody() _body: unknown) {
    return this.notifications.testTeams();
  }

  // h2b-pir-publish: the tenant's Hub, which receives the output records of published reviews (issue 15)
  @Roles('customer_admin')
  @Get('integrations/hub')
  hub() {
    return this.notifications.hubConnection();
  }

  @Roles('customer_admin')
  @Put('integrations/hub')
  connectHub(@ZodBody(connectHubSchema, 'ConnectHub') body: ConnectHubInput) {
    return this.notifications.connectHub(body);
  }

  @Roles('customer_admin')
  @Delete('integrations/hub')
  @HttpCode(204)
  disconnectHub(@NoBody() _body: unknown) {
    return this.notifications.disconnectHub();
  }

  @Roles('customer_admin')
  @Get('webhook-endpoints')
  async endpoints() {
    return { items: await this.notifications.listEndpoints() };
  }

  @Roles('customer_admin')
  @Post('webhook-endpoints')
  createEndpoint(@ZodBody(createWebhookEndpointSchema, 'CreateWebhookEndpoint') body: CreateWebhookEndpointInput) {
    return this.notifications.createEndpoint(body);
  }

  @Roles('customer_admin')
  @Patch('webhook-endpoints/:id')
  updateEndpoint(
    @Param('id', new UuidOr404Pipe('webhook endpoint')) id: string,
    @ZodBody(updateWebhookEndpointSchema, 'UpdateWebhookEndpoint') body: UpdateWebhookEndpointInput,
  ) {
    return this.notifications.updateEndpoint(id, body);
  }

  @Roles('customer_admin')
  @Delete('webhook-endpoints/:id')
  @HttpCode(204)
  deleteEndpoint(@Param('id', new UuidOr404Pipe('webhook endpoint')) id: string, @NoBody() _body: unknown) {
    return this.notifications.deleteEndpoint(id);
  }

  @Roles('customer_admin')
  @Get('webhook-endpoints/:id/deliveries')
  async endpointDeliveries(@Param('id', new UuidOr404Pipe('webhook endpoint')) id: string) {
    return { items: await this.notifications.endpointDeliveries(id) };
  }

  @Roles('customer_admin')
  @Post('webhook-endpoints/:id/test')
  testEndpoint(@Param('id', new UuidOr404Pipe('webhook endpoint')) id: string, @NoBody() _body: unknown) {
    return this.notifications.testEndpoint(id);
  }
}
