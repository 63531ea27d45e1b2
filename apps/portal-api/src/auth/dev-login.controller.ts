import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { devLoginSchema, DevLoginInput } from '@portal/contracts';
import { TenantContext } from '@portal/tenancy';
import { Clock } from '../common/clock';
import { NotFound } from '../common/domain-errors';
import { ZodPipe } from '../common/zod-body.pipe';
import { Db } from '../database/db.service';
import { GovernanceService } from '../governance/governance.service';
import { TenantsRepository } from '../tenants/tenants.repository';
import { Public } from './auth.decorators';
import { SessionService } from './session.service';
import { UsersRepository } from './users.repository';

/**
 * Development sign-in: registered only when DEV_LOGIN_ENABLED or demo mode is on, and the
 * configuration refuses to start that way with NODE_ENV=production. Real sign-in is SSO.
 */
@ApiTags('auth')
@Controller('auth/dev')
export class DevLoginController {
  constructor(
    private readonly db: Db,
    private readonly tenants: TenantsRepository,
    private readonly users: UsersRepository,
    private readonly sessions: SessionService,
    private readonly governance: GovernanceService,
    private readonly clock: Clock,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@Body(new ZodPipe(devLoginSchema)) body: DevLoginInput, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const now = this.clock.now();
    const name = body.name ?? body.email.split('@')[0];
    if (body.role === 'support_engineer' || body.role === 'csm') {
      const staff = await this.db.scoped('directory', (em) => this.users.upsertStaff(em, { email: body.email, name, role: body.role }, now));
      const { csrfToken } = await this.sessions.start(req, res, { principalKind: 'staff', principalId: staff.id, tenantId: null, role: staff.role, label: `${staff.name} <${staff.email}>` });
      TenantContext.enter({ kind: 'staff', id: staff.id, label: staff.name, role: staff.role, homeTenantId: null }, []);
      await this.db.forTenants([], (em) => this.governance.record(em, { tenantId: null, action: 'auth.sign_in', subjectType: 'staff', subjectId: staff.id, details: { method: 'dev', role: staff.role } }));
      return { principal: { kind: 'staff', id: staff.id, name: staff.name, email: staff.email, role: staff.role }, csrfToken };
    }
    if (!body.tenant) throw new NotFound('tenant is required for customer roles');
    const tenant = await this.db.scoped('directory', (em) => this.tenants.findBySlug(em, body.tenant!));
    if (!tenant) throw new NotFound('no tenant with that name');
    const user = await this.db.forTenants([tenant.id], (em) => this.users.upsertUser(em, { tenantId: tenant.id, email: body.email, name, role: body.role }, now));
    const { csrfToken } = await this.sessions.start(req, res, { principalKind: 'user', principalId: user.id, tenantId: tenant.id, role: user.role, label: `${user.name} <${user.email}>` });
    TenantContext.enter({ kind: 'user', id: user.id, label: `${user.name} <${user.email}>`, role: user.role, homeTenantId: tenant.id }, [tenant.id]);
    await this.db.forTenants([tenant.id], (em) => this.governance.record(em, { tenantId: tenant.id, action: 'auth.sign_in', subjectType: 'user', subjectId: user.id, details: { method: 'dev', role: user.role } }));
    return { principal: { kind: 'user', id: user.id, name: user.name, email: user.email, role: user.role, tenant: { id: tenant.id, slug: tenant.slug } }, csrfToken };
  }
}
