import { DEFAULT_ESCALATION, loadConfig } from '../config/portal-config';

const config = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', SECRET_KEY: Buffer.alloc(32, 1).toString('base64'), ...env });

describe('ESCALATION_POLICY', () => {
  it("defaults to seed 003's ladder", () => {
    expect(config({}).notifications.escalation).toEqual(DEFAULT_ESCALATION);
    expect(DEFAULT_ESCALATION.map((s) => `${s.severity} ${s.condition} ${s.afterMinutes} ${s.target}`)).toEqual([
      'sev1 unacknowledged 5 Backup on-call',
      'sev1 unacknowledged 10 Engineering Manager',
      'sev1 open 30 VP Engineering',
      'sev2 unacknowledged 15 Backup on-call',
    ]);
  });
  it('takes a vendor ladder and refuses a bad one with the reason', () => {
    const ladder = [{ severity: 'sev1', condition: 'open', afterMinutes: 20, target: 'Director', email: 'dir@vendor.test' }];
    expect(config({ ESCALATION_POLICY: JSON.stringify(ladder) }).notifications.escalation).toEqual(ladder);
    expect(() => config({ ESCALATION_POLICY: 'not json' })).toThrow(/ESCALATION_POLICY: must be a JSON array/);
    expect(() => config({ ESCALATION_POLICY: JSON.stringify([{ severity: 'sev9', condition: 'open', afterMinutes: 1, target: 'x' }]) })).toThrow(
      /ESCALATION_POLICY: 0.severity/,
    );
  });
});
