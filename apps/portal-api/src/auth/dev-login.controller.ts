import { RateLimit } from '../rate-limits/rate-limit.guard';
import { HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { devLoginSchema, DevLoginInput } from '@portal/contracts';
import { TenantContext } from '@portal/tenancy';
import { NotFound } from '../common/domain-errors';
import { ZodBody } from '../common/zod-body.pipe';
import { Db } from '../database/db.service';
import { DomainEvents } from '../events/domain-events.service';
import { TenantDirectory } from '../tenants/tenant-directory.service';
import { PortalController, Public } from './auth.decorators';
import { SessionService } from './session.service';
import { Accounts } from './accounts.service';

/**
 * Development sign-in: registered only when DEV_LOGIN_ENABLED or demo mode is on, and the
 * configuration refuses to start that way with NODE_ENV=production. Real sign-in is SSO.
 */
@ApiTags('auth')
@PortalController('auth/dev')
export class DevLoginController {
  constructor(
    private readonly db: Db,
    private readonly tenants: TenantDirectory,
    private readonly users: Accounts,
    private readonly sessions: SessionService,
    private readonly events: DomainEvents,
  ) {}

  @Public()
  @RateLimit('sign-in:ip')
  @Post('login')
  @HttpCode(200)
  async login(@ZodBody(devLoginSchema, 'DevLogin') body: DevLoginInput, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    // A name given in the request renames the account; without one, an existing account (a seeded demo user) keeps
    // its name and a new one is named after the start of its email.
    const name = body.name ?? body.email.split('@')[0];
    const keepName = body.name === undefined;
    if (body.role === 'support_engineer' || body.role === 'csm') {
      const staff = await this.users.upsertStaff({ email: body.email, name, role: body.role, keepName });
      const { csrfToken } = await this.sessions.start(req, res, {
        principalKind: 'staff',
        principalId: staff.id,
        tenantId: null,
        role: staff.role,
        label: `${staff.name} <${staff.email}>`,
      });
      TenantContext.enter({ kind: 'staff', id: staff.id, label: staff.name, role: staff.role, homeTenantId: null }, []);
      await this.db.forTenants([], (em) =>
        this.events.emit(em, { tenantId: null, type: 'auth.sign_in', subjectType: 'staff', subjectId: staff.id, payload: { method: 'dev', role: staff.role } }),
      );
      return { principal: { kind: 'staff', id: staff.id, name: staff.name, email: staff.email, role: staff.role }, csrfToken };
    }
    if (!body.tenant) throw new NotFound('tenant is required for customer roles');
    const tenant = await this.tenants.findBySlug(body.tenant);
    if (!tenant) throw new NotFound('no tenant with that name');
    const user = await this.users.upsertUser({ tenantId: tenant.id, email: body.email, name, role: body.role, keepName });
    const { csrfToken } = await this.sessions.start(req, res, {
      principalKind: 'user',
      principalId: user.id,
      tenantId: tenant.id,
      role: user.role,
      label: `${user.name} <${user.email}>`,
    });
    TenantContext.enter({ kind: 'user', id: user.id, label: `${user.name} <${user.email}>`, role: user.role, homeTenantId: tenant.id }, [tenant.id]);
    await this.db.forTenants([tenant.id], (em) =>
      this.events.emit(em, { tenantId: tenant.id, type: 'auth.sign_in', subjectType: 'user', subjectId: user.id, payload: { method: 'dev', role: user.role } }),
    );
    return {
      principal: { kind: 'user', id: user.id, name: user.name, email: user.email, role: user.role, tenant: { id: tenant.id, slug: tenant.slug } },
      csrfToken,
    };
  }
}
