import type { PirDocumentModel } from '../model';

/** A realistic Sev1 review (4–6 pages), used by the specs, the benchmark and the screenshot. */
export function samplePirModel(overrides: Partial<PirDocumentModel> = {}): PirDocumentModel {
  const timeline = [
    ['2026-11-02 08:41 UTC', 'Declared', 'Customer reported that agents cannot open the console; Sev1 declared.'],
    ['2026-11-02 08:44 UTC', 'Acknowledged', 'Support engineer acknowledged and paged the on-call SRE.'],
    ['2026-11-02 08:52 UTC', 'Status update', 'Investigating elevated 502 responses from the EU ingress.'],
    ['2026-11-02 09:05 UTC', 'Impacted users', 'Impacted users raised from 40 to 1,250.'],
    ['2026-11-02 09:17 UTC', 'Status update', 'Identified an expired intermediate certificate on the EU load balancer.'],
    ['2026-11-02 09:31 UTC', 'Status update', 'Certificate rotated; error rate falling.'],
    ['2026-11-02 09:48 UTC', 'Resolved', 'Error rate back to baseline for 15 minutes; incident resolved.'],
  ];
  const extraTimeline = Array.from({ length: 18 }, (_, i) => [
    `2026-11-02 ${String(10 + Math.floor(i / 6)).padStart(2, '0')}:${String((i % 6) * 10).padStart(2, '0')} UTC`,
    'Monitoring',
    `Post-resolution check ${i + 1}: latency p95 ${180 + i} ms, error rate 0.0${i % 10}%.`,
  ]);
  const paragraph = (topic: string) =>
    `The ${topic} was reviewed with the platform, networking and customer-success teams. ` +
    'Evidence came from the load balancer access logs, the certificate inventory and the status updates sent ' +
    'during the incident. Each finding below is backed by a governance event recorded by the portal.';
  return {
    tenant: { name: 'Acme Corporation', logoDataUrl: null },
    incident: {
      reference: 'INC-2026-0142',
      title: 'EU console unavailable: expired intermediate certificate on the ingress load balancer',
      severity: 'Sev1',
      service: 'Agent console (EU)',
      status: 'resolved',
      declaredAt: '2026-11-02 08:41 UTC',
      acknowledgedAt: '2026-11-02 08:44 UTC',
      resolvedAt: '2026-11-02 09:48 UTC',
      duration: '1 h 7 min',
    },
    review: { version: 3, status: 'published', author: 'Dana Support', publishedAt: '2026-11-04 15:20 UTC' },
    sections: [
      {
        key: 'summary',
        title: 'Summary',
        markdown:
          'On **2 November 2026** the EU agent console was unavailable for **67 minutes**. An intermediate ' +
          'certificate on the EU ingress load balancer expired; clients that validate the full chain refused the ' +
          'connection.\n\n' +
          paragraph('summary'),
      },
      { key: 'timeline', title: 'Timeline', markdown: 'All times in UTC. Events recorded by the portal:' },
      {
        key: 'root_cause',
        title: 'Root cause',
        markdown:
          'The certificate bundle deployed in March contained an intermediate that expired on 2 November.\n\n' +
          '1. The renewal job renewed the leaf only.\n2. The expiry monitor checked the leaf only.\n' +
          '3. The staging environment used a different chain.\n\n' +
          `${paragraph('root cause')}\n\n${paragraph('deployment history')}`,
      },
      {
        key: 'impact',
        title: 'Impact',
        markdown:
          '- 1,250 agents in the EU region could not sign in.\n- 312 customer conversations were delayed.\n' + `- No data was lost.\n\n${paragraph('impact')}`,
      },
      {
        key: 'remediation',
        title: 'Remediation',
        markdown: `The full chain was rotated at 09:31 UTC. ${paragraph('remediation')}\n\n${paragraph('follow-up')}`,
      },
      {
        key: 'lessons',
        title: 'Lessons learned',
        markdown: `> Monitor what clients validate, not what we deploy.\n\n${paragraph('lessons')}`,
      },
      {
        key: 'went_well',
        title: 'What went well',
        markdown: '- Acknowledged within 3 minutes.\n- Status updates every 15 minutes.\n- Clear ownership.',
      },
      {
        key: 'could_improve',
        title: 'What could be improved',
        markdown: '- Expiry monitoring of intermediates.\n- Staging parity with production chains.',
      },
    ],
    timeline: [...timeline, ...extraTimeline].map(([at, kind, text]) => ({ at, kind, text })),
    actionItems: [
      { action: 'Monitor expiry of every certificate in the served chain', owner: 'SRE team', priority: 'high', dueDate: '2026-11-16', status: 'in progress' },
      { action: 'Renew full chains, not leaves only', owner: 'Platform team', priority: 'high', dueDate: '2026-11-23', status: 'open' },
      { action: 'Use production certificate chains in staging', owner: 'Platform team', priority: 'medium', dueDate: '2026-12-07', status: 'open' },
      {
        action: 'Add a chain validation step to the deployment pipeline',
        owner: 'Release engineering',
        priority: 'medium',
        dueDate: '2026-12-14',
        status: 'open',
      },
    ],
    slaOutcomes: [
      { clock: 'Response', target: '15 min', outcome: 'Met', detail: 'Acknowledged after 3 min' },
      { clock: 'Restoration', target: '4 h', outcome: 'Met', detail: 'Restored after 1 h 7 min' },
      { clock: 'Post-incident review', target: '5 business days', outcome: 'Met', detail: 'Delivered after 2 business days' },
    ],
    ...overrides,
  };
}
