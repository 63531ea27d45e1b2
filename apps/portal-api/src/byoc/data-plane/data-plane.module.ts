import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { requestContextMiddleware } from '../../common/request-context.middleware';
import { PORTAL_CONFIG } from '../../config/portal-config';
import { evidenceStorageFor } from '../../evidence/evidence.module';
import { EvidenceStorage } from '../../evidence/storage/evidence-storage';
import { DataPlaneAgent } from './data-plane-agent';
import { DataPlaneEvidence } from './data-plane-evidence';
import { DataPlaneController, dataPlaneCors } from './data-plane.controller';
import { PlaneLinkClient } from './plane-link-client';
import { PlaneStoreRepository } from './plane-store.repository';

/**
 * PORTAL_ROLE=data-plane: one Mode C tenant's evidence in the customer's cloud (its storage, its database), the
 * grant-checked upload and download routes, and the heartbeat and outbox relay towards the control plane.
 */
@Module({
  providers: [
    PlaneStoreRepository,
    PlaneLinkClient,
    DataPlaneAgent,
    DataPlaneEvidence,
    { provide: EvidenceStorage, useFactory: evidenceStorageFor, inject: [PORTAL_CONFIG] },
  ],
  controllers: [DataPlaneController],
  exports: [DataPlaneAgent, DataPlaneEvidence],
})
export class DataPlaneModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(dataPlaneCors, requestContextMiddleware).forRoutes({ path: 'data-plane/*path', method: RequestMethod.ALL });
  }
}
