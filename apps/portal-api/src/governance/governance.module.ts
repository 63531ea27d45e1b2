import { Global, Module } from '@nestjs/common';
import { GovernanceController } from './governance.controller';
import { GovernanceService } from './governance.service';

@Global()
@Module({ controllers: [GovernanceController], providers: [GovernanceService], exports: [GovernanceService] })
export class GovernanceModule {}
