import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { pirHubRecordSchema } from './pir';

const SCHEMA_FILE = join(__dirname, '..', 'schemas', 'gatespic.incident-postmortem.v1.schema.json');

/** A record as the portal writes one (the e2e test checks the real one). */
const record = () => ({
  kind: 'gatespic.incident-postmortem',
  schemaVersion: 1,
  tenant: { id: '7b0f0a52-4c1c-4a4e-9c55-0a9f5d1e2b11', slug: 'acme', name: 'Acme Corp' },
  incident: {
    id: '0d4f7c8e-51b6-4a8a-9d43-2f3e4b5a6c7d',
    reference: 'INC-42',
    title: 'Sign-in broken',
    severity: 'sev1',
    services: ['identity'],
    declaredAt: '2026-11-24T09:00:00.000Z',
    resolvedAt: '2026-11-24T10:00:00.000Z',
  },
  review: { id: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9', version: 4, publishedAt: '2026-11-25T09:00:00.000Z', publishedBy: 'Sam Support' },
  sections: [
    ['summary', 'Summary'],
    ['timeline', 'Timeline'],
    ['root_cause', 'Root cause'],
    ['impact', 'Impact'],
    ['remediation', 'Remediation'],
    ['lessons', 'Lessons learned'],
    ['went_well', 'What went well'],
    ['could_improve', 'What could be improved'],
  ].map(([key, title]) => ({ key, title, markdown: `${title} text` })),
  timeline: [{ at: '2026-11-24 09:00 UTC', kind: 'Declared', text: 'Sev1 declared' }],
  actionItems: [
    { id: '9a8b7c6d-5e4f-4a3b-8c1d-0e9f8a7b6c5d', action: 'Alert on expiry', owner: 'SRE', priority: 'high', dueDate: '2026-12-01', status: 'open' },
  ],
  slaOutcomes: [{ clock: 'Initial response (Sev1)', target: '15 minutes', outcome: 'Met', detail: 'after 4 min' }],
  links: { pir: 'https://portal.test/incidents/x/pir', pdf: 'https://portal.test/api/v1/incidents/x/pir.pdf', incident: 'https://portal.test/incidents/x' },
});

describe('the Hub output record (gatespic.incident-postmortem v1)', () => {
  it('the committed JSON Schema is the one generated from the zod definition', () => {
    const generated = z.toJSONSchema(pirHubRecordSchema, { target: 'draft-2020-12' });
    expect(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'))).toEqual(generated);
  });

  it('accepts a complete record', () => {
    expect(pirHubRecordSchema.safeParse(record()).success).toBe(true);
  });

  it.each([
    ['another kind', (r: any) => (r.kind = 'gatespic.other'), 'kind'],
    ['a missing section', (r: any) => r.sections.pop(), 'sections'],
    ['an unknown field', (r: any) => (r.extra = 1), ''],
    ['an action item without an owner', (r: any) => (r.actionItems[0].owner = ''), 'actionItems.0.owner'],
    ['a relative link', (r: any) => (r.links.pdf = '/pir.pdf'), 'links.pdf'],
    ['an unknown severity', (r: any) => (r.incident.severity = 'sev9'), 'incident.severity'],
  ])('refuses %s', (_name, spoil, path) => {
    const r = record();
    spoil(r);
    const res = pirHubRecordSchema.safeParse(r);
    expect(res.success).toBe(false);
    expect(res.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});
