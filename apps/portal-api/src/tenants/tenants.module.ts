import { Module } from '@nestjs/common';
import { TenantsController } from './tenants.controller';
import { TenantsRepository } from './tenants.repository';
import { TenantsService } from './tenants.service';

@Module({ controllers: [TenantsController], providers: [TenantsRepository, TenantsService], exports: [TenantsService, TenantsRepository] })
export class TenantsModule {}
