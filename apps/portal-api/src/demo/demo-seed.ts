import { publicHolidays as holidaysFor } from '../tenants/tenant-onboarding.service';
import { DEFAULT_CALENDAR } from '@portal/sla';
import { TenantContext, Actor } from '@portal/tenancy';
import type { DeclareIncidentInput, ServiceMode } from '@portal/contracts';
import type { INestApplication } from '@nestjs/common';
import { TenantOnboardingService } from '../tenants/tenant-onboarding.service';
import { TenantDirectory } from '../tenants/tenant-directory.service';
import { Accounts } from '../auth/accounts.service';
import { ApiTokensService } from '../auth/api-tokens.service';
import { IncidentsService } from '../incidents/incidents.service';
import { NotificationsService } from '../notifications/notifications.service';
import { DEMO_SLACK_TOKEN, DEMO_TEAMS } from './demo-receivers';
import { PirService } from '../pir/pir.service';
import { WalkthroughsService } from '../walkthroughs/walkthroughs.service';
import { DEFAULT_REGIONS, Tenant } from '../tenants/tenant.types';

interface DemoTenant {
  slug: string;
  displayName: string;
  mode: ServiceMode;
  timezone: string;
  country: string;
}

export const DEMO_TENANTS: DemoTenant[] = [
  { slug: 'acme', displayName: 'Acme Manufacturing', mode: 'A', timezone: 'Europe/Rome', country: 'IT' },
  { slug: 'globex', displayName: 'Globex (BYOC)', mode: 'C', timezone: 'America/New_York', country: 'US' },
];

export interface DemoSeedResult {
  tenants: Tenant[];
  tokens: { tenant: string; role: string; token: string }[];
}

/** Two tenants (Mode A and Mode C), their users, vendor staff, a few incidents in different states. */
export async function seedDemo(app: INestApplication, now = new Date(), opts: { connectSlack?: boolean } = {}): Promise<DemoSeedResult> {
  const directory = app.get(TenantDirectory);
  const onboarding = app.get(TenantOnboardingService);
  const users = app.get(Accounts);
  const tokens = app.get(ApiTokensService);
  const incidents = app.get(IncidentsService);

  const tenants: Tenant[] = [];
  let created = false;
  for (const d of DEMO_TENANTS) {
    let t = await directory.findBySlug(d.slug);
    if (!t) {
      created = true;
      t = await onboarding.provision({
        slug: d.slug,
        displayName: d.displayName,
        serviceMode: d.mode,
        timezone: d.timezone,
        calendar: { ...DEFAULT_CALENDAR(d.timezone), holidays: holidaysFor(d.country, now) },
        regions: DEFAULT_REGIONS,
        contacts: [{ name: 'IT on-call', email: `oncall@${d.slug}.example` }],
        country: d.country,
      });
    }
    tenants.push(t);
  }
  const [acme, globex] = tenants;
  const support = await users.upsertStaff({ email: 'support@claresia.example', name: 'Sam Support', role: 'support_engineer' });
  const casey = await users.upsertStaff({ email: 'csm@claresia.example', name: 'Casey CSM', role: 'csm' });
  if (created) await users.assignCsm('csm@claresia.example', acme.slug, true);
  // CSM walkthroughs (issue 15, h2a-walkthroughs): Casey works from London (acme is in Rome), so the slots name both zones.
  const caseyActor: Actor = { kind: 'staff', id: casey.id, label: `${casey.name} <${casey.email}>`, role: 'csm', homeTenantId: null };
  await TenantContext.runAs(caseyActor, [acme.id], async () => {
    const walkthroughs = app.get(WalkthroughsService);
    if (!(await walkthroughs.myWorkingHours()).customised) {
      await walkthroughs.setMyWorkingHours({ timeZone: 'Europe/London', workingDays: [1, 2, 3, 4, 5], dayStart: '09:00', dayEnd: '17:00' });
    }
  });

  const admins: Record<string, Actor> = {};
  for (const t of tenants) {
    const admin = await users.upsertUser({ tenantId: t.id, email: `admin@${t.slug}.example`, name: `${t.displayName} admin`, role: 'customer_admin' });
    await users.upsertUser({ tenantId: t.id, email: `viewer@${t.slug}.example`, name: `${t.displayName} viewer`, role: 'customer_viewer' });
    admins[t.id] = { kind: 'user', id: admin.id, label: `${admin.name} <${admin.email}>`, role: 'customer_admin', homeTenantId: t.id };
  }

  // The demo's loopback Slack and Teams: globex gets its incident updates threaded in both (see the demo inbox).
  if (opts.connectSlack) {
    const notifications = app.get(NotificationsService);
    const asAdmin = <T>(fn: () => Promise<T>) => TenantContext.runAs(admins[globex.id], [globex.id], fn);
    if (!(await asAdmin(() => notifications.slackConnection())).connected) {
      await asAdmin(() => notifications.connectSlack({ botToken: DEMO_SLACK_TOKEN, channelId: 'C0INCIDENTS' }));
    }
    if (!(await asAdmin(() => notifications.teamsConnection())).connected) {
      await asAdmin(() => notifications.connectTeams({ ...DEMO_TEAMS }));
    }
  }

  if (created) {
    const supportActor: Actor = {
      kind: 'staff',
      id: support.id,
      label: 'Sam Support <support@claresia.example>',
      role: 'support_engineer',
      homeTenantId: null,
    };
    const declare = (t: Tenant, input: DeclareIncidentInput) => TenantContext.runAs(admins[t.id], [t.id], () => incidents.declare(input));
    const asSupport = <T>(t: Tenant, fn: () => Promise<T>) => TenantContext.runAs(supportActor, [t.id], fn);
    const base = {
      firstNoticedAt: new Date(now.getTime() - 20 * 60_000).toISOString(),
      reproductionConfirmed: true,
      recentChanges: { kinds: [] as never[] },
    };
    const a1 = await declare(acme, {
      ...base,
      title: 'Hub Browser slow, writes succeed',
      severity: 'sev2',
      services: ['Hub'],
      regions: ['eu-south-1'],
      impactedUsers: 40,
      firstNoticedTimezone: 'Europe/Rome',
      symptoms: 'Hub Browser pages take 20-30 s to load; saving records still works.',
    });
    await asSupport(acme, () =>
      incidents.postStatusUpdate(a1.id, {
        state: 'investigating',
        body: 'We are investigating slow Hub Browser page loads in eu-south-1. Next update within 30 minutes.',
      }),
    );
    const a2 = await declare(acme, {
      ...base,
      title: 'Adaptive Card columns misaligned',
      severity: 'sev3',
      services: ['Command Center'],
      regions: ['eu-central-1'],
      impactedUsers: 3,
      firstNoticedTimezone: 'Europe/Rome',
      symptoms: 'Columns of the usage card overlap in the Teams client.',
      reproductionConfirmed: false,
    });
    void a2;
    const g1 = await declare(globex, {
      ...base,
      title: 'SSO sign-in fails for all users',
      severity: 'sev1',
      services: ['Identity'],
      regions: ['eu-central-1'],
      impactedUsers: 1200,
      firstNoticedTimezone: 'America/New_York',
      symptoms: 'Every user gets AADSTS50011 after the redirect to the portal.',
      recentChanges: { kinds: ['aad_change'], details: 'Reply URL list edited this morning' },
      errorCodes: ['AADSTS50011'],
      plane: 'control_plane',
    });
    await asSupport(globex, () => incidents.acknowledge(g1.id));
    await asSupport(globex, () =>
      incidents.postStatusUpdate(g1.id, { state: 'identified', body: 'The reply URL registered in Entra ID no longer matches. Fix in progress.' }),
    );
    await asSupport(globex, () => incidents.resolve(g1.id, { summary: 'Reply URL restored; sign-in works for all users.' }));
    await declare(globex, {
      ...base,
      title: 'Snowflake connector timing out in our cluster',
      severity: 'sev2',
      services: ['Hub'],
      regions: ['eu-south-1'],
      impactedUsers: 25,
      firstNoticedTimezone: 'America/New_York',
      symptoms: 'Skills reading Snowflake time out after 30 s.',
      plane: 'data_plane',
    });

    // post-incident reviews (issue 15): a resolved acme Sev 1 with its review published (the worker renders the PDF).
    const a3 = await declare(acme, {
      ...base,
      title: 'Agent console unavailable: expired intermediate certificate on the EU ingress',
      severity: 'sev1',
      services: ['Identity'],
      regions: ['eu-south-1'],
      impactedUsers: 1250,
      firstNoticedTimezone: 'Europe/Rome',
      symptoms: 'Agents cannot open the console; browsers report an untrusted certificate chain.',
      errorCodes: ['NET::ERR_CERT_DATE_INVALID'],
    });
    await asSupport(acme, () => incidents.acknowledge(a3.id));
    await asSupport(acme, () =>
      incidents.postStatusUpdate(a3.id, {
        state: 'identified',
        body: 'An intermediate certificate on the EU ingress load balancer expired. Rotating the full chain now.',
      }),
    );
    await asSupport(acme, () => incidents.resolve(a3.id, { summary: 'Full certificate chain rotated on the EU ingress; error rate back to baseline.' }));
    const pirs = app.get(PirService);
    await asSupport(acme, async () => {
      const draft = await pirs.create(a3.id);
      await pirs.update(a3.id, {
        version: draft.version,
        sections: {
          root_cause:
            'The certificate bundle deployed in March held an intermediate that expired today. The renewal job renewed the **leaf only**, ' +
            'and the expiry monitor checked the leaf only, so nothing warned before clients that validate the full chain refused it.',
          lessons: 'Monitor what clients validate (the whole served chain), not only what we deploy.',
          went_well: '- Acknowledged within minutes.\n- The cause was identified from the first customer report.\n- Status updates on time.',
          could_improve: '- Expiry monitoring of intermediate certificates.\n- Staging used a different chain than production.',
        },
        actionItems: [
          { action: 'Monitor expiry of every certificate in the served chain', owner: 'SRE team', priority: 'high', dueDate: isoDate(now, 14) },
          { action: 'Renew full chains, not leaves only', owner: 'Platform team', priority: 'high', dueDate: isoDate(now, 21) },
          { action: 'Use production certificate chains in staging', owner: 'Platform team', priority: 'medium', dueDate: isoDate(now, 35) },
        ],
      });
      await pirs.transition(a3.id, { to: 'in_review' });
      await pirs.transition(a3.id, { to: 'published' });
    });
  }

  const out: DemoSeedResult['tokens'] = [];
  for (const t of tenants) {
    const { token } = await tokens.create(t.id, { name: `demo ${now.toISOString().slice(0, 16)}`, role: 'customer_admin' }, 'demo seed');
    out.push({ tenant: t.slug, role: 'customer_admin', token });
  }
  return { tenants, tokens: out };
}

/** `days` after `from`, as YYYY-MM-DD. */
function isoDate(from: Date, days: number): string {
  return new Date(from.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}
