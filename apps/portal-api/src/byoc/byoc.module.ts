import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { PORTAL_ROUTE_MIDDLEWARE } from '../common/request-context.middleware';
import { EvidenceModule } from '../evidence/evidence.module';
import { TenantsModule } from '../tenants/tenants.module';
import { ByocController } from './byoc.controller';
import { ByocService } from './byoc.service';
import { ControlPlaneLink } from './control-plane-link';
import { DataPlaneLinksRepository } from './data-plane-links.repository';

/** BYOC on the control plane: evidence grants, the mTLS plane link (PLANE_LINK_PORT) and data-plane health. */
@Module({
  imports: [EvidenceModule, TenantsModule],
  providers: [DataPlaneLinksRepository, ByocService],
  exports: [ByocService],
})
export class ByocModule {}

/** The grant and health routes, and the plane link listener (it runs where the API runs, not in workers). */
@Module({ imports: [ByocModule, TenantsModule], controllers: [ByocController], providers: [ControlPlaneLink], exports: [ControlPlaneLink] })
export class ByocHttpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(...PORTAL_ROUTE_MIDDLEWARE).forRoutes(ByocController);
  }
}
