import { Module, MiddlewareConsumer, NestModule } from '@nestjs/common';
import { PirPdfRenderer } from '@portal/pir-pdf';
import { PORTAL_ROUTE_MIDDLEWARE } from '../common/request-context.middleware';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { EvidenceModule } from '../evidence/evidence.module';
import { IncidentsModule } from '../incidents/incidents.module';
import { PirRenderJob } from './jobs/pir-render.job';
import { PirArchiveController, PirController } from './pir.controller';
import { PirRepository } from './pir.repository';
import { PirService } from './pir.service';

/** Post-incident reviews. Other modules use PirService; the repository stays inside. PDFs are stored with the evidence. */
@Module({
  imports: [IncidentsModule, EvidenceModule],
  providers: [PirRepository, PirService],
  exports: [PirService],
})
export class PirModule {}

@Module({ imports: [PirModule], controllers: [PirController, PirArchiveController] })
export class PirHttpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(...PORTAL_ROUTE_MIDDLEWARE).forRoutes(PirController, PirArchiveController);
  }
}

/** The PDF renderer: one warm Chromium per worker process (closed at shutdown by onModuleDestroy). */
@Module({
  imports: [PirModule],
  providers: [
    {
      provide: PirPdfRenderer,
      useFactory: (config: PortalConfig) =>
        new PirPdfRenderer({
          executablePath: config.pirPdf.executablePath,
          poolSize: config.pirPdf.poolSize,
          renderTimeoutMs: config.pirPdf.timeoutMs,
          restartAfterRenders: config.pirPdf.restartAfterRenders,
        }),
      inject: [PORTAL_CONFIG],
    },
    PirRenderJob,
  ],
})
export class PirWorkerModule {}
