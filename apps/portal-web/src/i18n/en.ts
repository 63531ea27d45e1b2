import { SEVERITY_DEFINITIONS } from '@portal/contracts';
import { PLANE_LABELS, RECENT_CHANGE_LABELS } from '../lib/labels';
import { IMPACT_ANSWERS } from '../lib/severity-helper';

const answer = (v: string) => IMPACT_ANSWERS.find((a) => a.value === v)!.label;

/**
 * The message catalogue, English (the reference: every key is here; another language may leave a key out and
 * falls back to English). Namespace `declare`: the declaration flow (issue 18). Labels shared with the rest of the
 * portal (severities, planes, recent changes) come from their one English source.
 */
export const en = {
  declare: {
    page: {
      title: 'Declare an incident',
      intro: "{{tenant}} · {{mode}}. Don't troubleshoot first: declare, and Claresia investigates in parallel. Fields marked",
      requiredSuffix: 'are required.',
      withAsterisk: 'with an asterisk',
      formLabel: 'Declare an incident',
      cancel: 'Cancel',
      submit: 'Declare incident',
      language: 'Language',
    },
    quick: {
      label: 'Quick declaration (Sev 1 or Sev 2)',
      description: 'Four answers now; the incident page asks for the rest, required before the response target.',
    },
    restored: {
      title: 'Draft restored',
      body: 'What you typed on <at></at> was kept in this browser.',
      startOver: 'Start over',
    },
    leave: {
      title: 'Leave the declaration?',
      kept: 'What you typed stays in this browser, for you on this tenant: it is here again when you come back to declare.',
      queued: 'Your declaration has not reached the portal yet. It stays in this browser and is sent when you come back to this form.',
      stay: 'Stay on the form',
      leaveKeep: 'Leave, keep the draft',
      discard: 'Discard the draft and leave',
    },
    unreachable: {
      title: 'The portal is not answering',
      waiting:
        'Your declaration has not reached the portal yet. It is kept in this browser and is sent by itself as soon as the portal answers again, once only.',
      slow: 'The portal is slow to answer. Your declaration is kept in this browser; it will be sent as soon as the portal answers, once only.',
      tries: 'Tries so far: {{count}}.',
      dontWait: 'Don’t wait for it in a Sev 1 or Sev 2:',
      email: 'Email {{email}} with this draft',
      call: 'Call the hotline:',
      chat: 'Post in your Slack or Teams Connect channel with Claresia.',
      retry: 'Try again now',
      stop: 'Stop sending and edit',
    },
    errors: {
      summary_one: 'Please check {{count}} field',
      summary_other: 'Please check {{count}} fields',
      notDeclared: 'The incident was not declared',
    },
    sections: {
      what: 'What is happening',
      impact: 'Impact',
      when: 'When',
      context: 'Context',
      plane: 'Where the problem is (Mode C, BYOC)',
    },
    fields: {
      title: 'Title',
      titleHelp: 'One line your colleagues will recognise, e.g. “SSO sign-in fails for all users”.',
      symptoms: 'Symptoms',
      symptomsHelp:
        'What users see: messages, which pages or skills, since when. Do not paste passwords, tokens or API keys: Claresia will never ask for them.',
      severity: 'Severity',
      services: 'Affected services',
      servicesHelp: 'Pick every service that misbehaves.',
      regions: 'Affected regions',
      regionsHelp: 'Regions of your tenant.',
      impactedUsers: 'Impacted users',
      impactedUsersHelp: 'An estimate is fine; you can update it as the situation evolves.',
      examples: 'Impacted-user examples',
      examplesHelp: 'A few affected accounts (user names or emails) so engineers can look them up. Press Enter after each.',
      firstNoticed: 'First noticed',
      firstNoticedHelp: 'Local time in the zone on the right.',
      timezone: 'Your time zone',
      timezoneHelp: "Defaults to this browser's zone.",
      noSuchZone: 'No such time zone: try a city (New York) or an abbreviation (CET)',
      forYou: '{{time}} for you',
      inBrowserZone: " = {{time}} in this browser's zone",
      recentChanges: 'Recent changes on your side',
      recentChangesHelp: 'Anything changed in the last days? Leave empty if nothing changed.',
      changeDetails: 'Details of the changes',
      changeDetailsHelp: 'What changed and when, e.g. “Reply URL list edited in Entra ID this morning”.',
      errorCodes: 'Error codes',
      errorCodesHelp: 'From Command Center or Hub Browser, e.g. AADSTS50011. Press Enter after each.',
      reproduced: 'We can reproduce the problem',
      reproducedHelp: 'Leave unticked if it happened but you could not make it happen again yet.',
      plane: 'Which plane is affected?',
      ownership: 'Who owns what in Mode C',
      runbook: 'Your runbook applies',
    },
    helper: {
      title: 'Severity helper',
      question: 'Can your users still do their main work?',
      down: answer('down'),
      impaired: answer('impaired'),
      minor: answer('minor'),
      question_answer: answer('question'),
      suggested: 'Suggested:',
      use: 'Use {{severity}}',
    },
    severity: {
      sev1: SEVERITY_DEFINITIONS.sev1.name,
      sev2: SEVERITY_DEFINITIONS.sev2.name,
      sev3: SEVERITY_DEFINITIONS.sev3.name,
      sev4: SEVERITY_DEFINITIONS.sev4.name,
    },
    plane: { ...PLANE_LABELS },
    change: { ...RECENT_CHANGE_LABELS },
  },
};

export type Catalogue = typeof en;
