import { Module } from '@nestjs/common';
import { TenantsController } from './tenants.controller';
import { TenantsRepository } from './tenants.repository';
import { TenantsService } from './tenants.service';
import { TenantOnboardingService } from './tenant-onboarding.service';

@Module({ controllers: [TenantsController], providers: [TenantsRepository, TenantsService, TenantOnboardingService], exports: [TenantsService, TenantsRepository, TenantOnboardingService] })
export class TenantsModule {}
