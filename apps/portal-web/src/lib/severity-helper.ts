import type { Severity } from '@portal/contracts';

/** The helper's question, one answer per severity definition of seed 000. */
export const IMPACT_ANSWERS: { value: string; label: string; severity: Severity }[] = [
  { value: 'down', label: 'No: a primary workflow is down (sign-in, Hub writes, all LLM connectors or Command Center)', severity: 'sev1' },
  { value: 'impaired', label: 'Partly: an important function is impaired or slow, but work continues', severity: 'sev2' },
  { value: 'minor', label: 'Yes: it is a minor or cosmetic problem', severity: 'sev3' },
  { value: 'question', label: 'Nothing is broken: it is a question or a feature request', severity: 'sev4' },
];

// Phrases from the seed's examples and the words people use for them.
const HINTS: { severity: Severity; pattern: RegExp; why: string }[] = [
  {
    severity: 'sev1',
    pattern:
      /\b(all|every|no)\s*(one|body|users?)\b.*\b(sign[- ]?in|log[- ]?in|down|fail|cannot|can't|offline)|\b(sign[- ]?in|sso)\b.*\b(fails?|failing|broken)\b.*\b(all|every)|\bhub writes?\b.*\bfail|\ball (llm )?connectors\b.*\boffline|command center\b.*\b(inaccessible|down|unreachable)|\bcomplete outage\b|\b(nobody|no one) can\b/i,
    why: 'it describes a primary workflow down for everyone',
  },
  {
    severity: 'sev2',
    pattern: /\bslow\b|\bdegraded\b|\bbehind\b|\bdelay(ed)?\b|\bone (llm )?connector\b|\btime(s|d)? ?out\b|\bintermittent\b|\bsmoke[- ]test\b/i,
    why: 'it describes a function that is impaired or slow',
  },
  {
    severity: 'sev3',
    pattern: /\bmisaligned\b|\bcosmetic\b|\brendering\b|\binconsistent format\b|\btypo\b|\blayout\b/i,
    why: 'it describes a minor or cosmetic problem',
  },
  { severity: 'sev4', pattern: /\bquestion\b|\bfeature request\b|\bhow (do|can|to)\b|\bwould like\b/i, why: 'it reads like a question or a request' },
];

export interface SeveritySuggestion {
  severity: Severity;
  why: string;
}

/** A suggestion from the helper's answer, else from the words of the title and symptoms. */
export function suggestSeverity(answer: string | null, title: string, symptoms: string): SeveritySuggestion | null {
  const picked = IMPACT_ANSWERS.find((a) => a.value === answer);
  if (picked) return { severity: picked.severity, why: 'from your answer above' };
  const text = `${title}\n${symptoms}`;
  for (const h of HINTS) if (h.pattern.test(text)) return { severity: h.severity, why: `your description suggests it: ${h.why}` };
  return null;
}
