import { PORTAL_ROUTE_MIDDLEWARE } from '../common/request-context.middleware';
import { Module, MiddlewareConsumer, NestModule } from '@nestjs/common';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { IncidentsModule } from '../incidents/incidents.module';
import { TenantsModule } from '../tenants/tenants.module';
import { AttachmentsRepository } from './attachments.repository';
import { EvidenceController } from './evidence.controller';
import { EvidenceService } from './evidence.service';
import { EvidenceRetentionJob } from './jobs/evidence-retention.job';
import { EvidenceStorage } from './storage/evidence-storage';
import { LocalEvidenceStorage } from './storage/local-evidence-storage';
import { S3EvidenceStorage } from './storage/s3-evidence-storage';

/** EVIDENCE_STORAGE picks the backend: a directory (a volume) or an S3-compatible bucket. */
export function evidenceStorageFor(config: PortalConfig): EvidenceStorage {
  const { storage, s3 } = config.byoc;
  if (storage === 's3') return new S3EvidenceStorage({ ...s3, bucket: s3.bucket! });
  return new LocalEvidenceStorage(config.evidence.dir);
}

/** Evidence uploads (HAR, governance event exports, screenshots): sanitized on the way in, stored, retained. */
@Module({
  imports: [IncidentsModule],
  providers: [
    AttachmentsRepository,
    EvidenceService,
    // A host application (or a test) can provide another EvidenceStorage, e.g. an object store.
    { provide: EvidenceStorage, useFactory: evidenceStorageFor, inject: [PORTAL_CONFIG] },
  ],
  exports: [EvidenceService, EvidenceStorage],
})
export class EvidenceModule {}

@Module({ imports: [EvidenceModule], controllers: [EvidenceController] })
export class EvidenceHttpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(...PORTAL_ROUTE_MIDDLEWARE).forRoutes(EvidenceController);
  }
}

@Module({ imports: [EvidenceModule, TenantsModule], providers: [EvidenceRetentionJob] })
export class EvidenceWorkerModule {}
