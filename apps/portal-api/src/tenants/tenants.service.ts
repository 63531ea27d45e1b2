import { Inject, Injectable } from '@nestjs/common';
import type { BusinessCalendarInput, IncidentContact, Me, Role, TenantView } from '@portal/contracts';
import { requiredChannels, responseTarget, validateCalendar } from '@portal/sla';
import { NotFound, ValidationFailed } from '../common/domain-errors';
import { PORTAL_CONFIG, type PortalConfig } from '../config/portal-config';
import { Db } from '../database/db.service';
import { DomainEvents } from '../events/domain-events.service';
import type { Principal } from '../auth/principal';
import { TenantsRepository } from './tenants.repository';
import type { Tenant } from './tenant.types';
import { SEVERITIES } from '@portal/contracts';

@Injectable()
export class TenantsService {
  constructor(
    private readonly db: Db,
    private readonly tenants: TenantsRepository,
    private readonly events: DomainEvents,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {}

  async me(p: Principal): Promise<Me> {
    const visible = await this.db.tx((em) => this.tenants.list(em));
    const home = p.actor.homeTenantId ? (visible.find((t) => t.id === p.actor.homeTenantId) ?? null) : null;
    return {
      principal: { kind: p.actor.kind === 'system' ? 'user' : p.actor.kind, id: p.actor.id, label: p.actor.label, role: p.actor.role as Role, via: p.via },
      tenant: home ? this.view(home) : null,
      tenants: visible.map((t) => ({ id: t.id, slug: t.slug, displayName: t.displayName, serviceMode: t.serviceMode, timezone: t.timezone })),
      csrfToken: p.csrfToken ?? null,
      support: { email: this.config.notifications.supportEmail, hotline: this.config.notifications.hotline },
    };
  }

  async current(tenantId: string) {
    const t = await this.db.tx((em) => this.tenants.findById(em, tenantId));
    if (!t) throw new NotFound('tenant not found');
    return this.view(t);
  }

  async updateContacts(tenantId: string, contacts: IncidentContact[]) {
    return this.db.tx(async (em) => {
      const t = await this.tenants.findById(em, tenantId);
      if (!t) throw new NotFound('tenant not found');
      await this.tenants.updateContacts(em, tenantId, contacts);
      await this.events.emit(em, { tenantId, type: 'tenant.contacts_updated', subjectId: tenantId, payload: { count: contacts.length } });
      return this.view({ ...t, contacts });
    });
  }

  async updateCalendar(tenantId: string, input: BusinessCalendarInput) {
    return this.db.tx(async (em) => {
      const t = await this.tenants.findById(em, tenantId);
      if (!t) throw new NotFound('tenant not found');
      const calendar = { timezone: t.timezone, ...input, holidays: [...new Set(input.holidays)].sort() };
      const problems = validateCalendar(calendar);
      if (problems.length) throw new ValidationFailed(problems.map((message) => ({ field: 'calendar', message })));
      await this.tenants.updateCalendar(em, tenantId, calendar);
      await this.events.emit(em, {
        tenantId,
        type: 'tenant.calendar_updated',
        subjectId: tenantId,
        payload: { workingDays: calendar.workingDays, dayStart: calendar.dayStart, dayEnd: calendar.dayEnd, holidays: calendar.holidays.length },
      });
      return this.view({ ...t, calendar });
    });
  }

  /** The tenant as the portal shows it, with the SLA promises of its mode per severity. */
  view(t: Tenant): TenantView {
    return {
      ...t,
      slaPolicy: SEVERITIES.map((s) => ({ severity: s, initialResponse: responseTarget(s, t.serviceMode), channels: requiredChannels(s, t.serviceMode) })),
    };
  }
}
