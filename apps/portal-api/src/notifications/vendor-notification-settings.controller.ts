import { Delete, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { UpdateVendorNotificationSettingsInput, updateVendorNotificationSettingsSchema } from '@portal/contracts';
import { PortalController, Roles } from '../auth/auth.decorators';
import { NoBody, ZodBody } from '../common/zod-body.pipe';
import { VendorNotificationSettingsService } from './vendor-notification-settings.service';

/** Vendor settings → Escalation and paging: the escalation ladder and the PagerDuty routing key (write-only). */
@ApiTags('notifications')
@ApiBearerAuth()
@PortalController('api/v1')
export class VendorNotificationSettingsController {
  constructor(private readonly settings: VendorNotificationSettingsService) {}

  @Roles('support_engineer')
  @Get('vendor/notification-settings')
  get() {
    return this.settings.view();
  }

  @Roles('support_engineer')
  @Put('vendor/notification-settings')
  put(@ZodBody(updateVendorNotificationSettingsSchema, 'UpdateVendorNotificationSettings') body: UpdateVendorNotificationSettingsInput) {
    return this.settings.update(body);
  }

  @Roles('support_engineer')
  @Delete('vendor/notification-settings')
  reset(@NoBody() _body: unknown) {
    return this.settings.reset();
  }
}
