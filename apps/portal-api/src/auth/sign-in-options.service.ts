import { Inject, Injectable } from '@nestjs/common';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { NotFound } from '../common/domain-errors';
import { TenantDirectory } from '../tenants/tenant-directory.service';

export interface SignInProvider {
  id: string;
  kind: 'saml' | 'oidc' | 'entra';
  displayName: string;
  startUrl: string;
}

/** Other modules (SSO) contribute the providers a tenant's sign-in page lists. */
export abstract class SignInProviderSource {
  abstract providersFor(tenantId: string): Promise<SignInProvider[]>;
}

@Injectable()
export class SignInOptionsService {
  private readonly sources: SignInProviderSource[] = [];
  constructor(
    private readonly tenants: TenantDirectory,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {}

  register(source: SignInProviderSource): void {
    this.sources.push(source);
  }

  async forTenant(slug: string) {
    const tenant = slug ? await this.tenants.findBySlug(slug) : null;
    if (!tenant) throw new NotFound('no tenant with that name; check the address or ask your IT admin for your tenant slug');
    const providers = (await Promise.all(this.sources.map((s) => s.providersFor(tenant.id)))).flat();
    return { tenant: { slug: tenant.slug, displayName: tenant.displayName }, devLogin: this.config.devLogin, providers };
  }
}
