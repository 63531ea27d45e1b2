import { Global, Module } from '@nestjs/common';
import { GovernanceService } from './governance.service';

@Global()
@Module({ providers: [GovernanceService], exports: [GovernanceService] })
export class GovernanceModule {}
