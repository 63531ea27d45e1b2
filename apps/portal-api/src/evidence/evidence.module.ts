import { Module } from '@nestjs/common';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { TenantsModule } from '../tenants/tenants.module';
import { AttachmentsRepository } from './attachments.repository';
import { EvidenceController } from './evidence.controller';
import { EvidenceService } from './evidence.service';
import { EvidenceRetentionJob } from './jobs/evidence-retention.job';
import { EvidenceStorage } from './storage/evidence-storage';
import { LocalEvidenceStorage } from './storage/local-evidence-storage';

/** Evidence uploads (HAR, governance event exports, screenshots): sanitized on the way in, stored, retained. */
@Module({
  imports: [TenantsModule],
  controllers: [EvidenceController],
  providers: [
    AttachmentsRepository,
    EvidenceService,
    EvidenceRetentionJob,
    // A host application (or a test) can provide another EvidenceStorage, e.g. an object store.
    { provide: EvidenceStorage, useFactory: (config: PortalConfig) => new LocalEvidenceStorage(config.evidence.dir), inject: [PORTAL_CONFIG] },
  ],
  exports: [EvidenceService],
})
export class EvidenceModule {}
