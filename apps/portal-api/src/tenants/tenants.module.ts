import { PORTAL_ROUTE_MIDDLEWARE } from '../common/request-context.middleware';
import { Module, MiddlewareConsumer, NestModule } from '@nestjs/common';
import { TenantDirectory } from './tenant-directory.service';
import { TenantOnboardingService } from './tenant-onboarding.service';
import { TenantsController } from './tenants.controller';
import { TenantsRepository } from './tenants.repository';
import { TenantsService } from './tenants.service';

/** Tenants: their settings, calendar and contacts. Others use TenantDirectory; the repository stays inside. */
@Module({
  providers: [TenantsRepository, TenantsService, TenantDirectory, TenantOnboardingService],
  exports: [TenantsService, TenantDirectory, TenantOnboardingService],
})
export class TenantsModule {}

@Module({ imports: [TenantsModule], controllers: [TenantsController] })
export class TenantsHttpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(...PORTAL_ROUTE_MIDDLEWARE).forRoutes(TenantsController);
  }
}
