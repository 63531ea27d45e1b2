import { useState } from 'react';
import type { TenantView } from '../../api/types';
import { fieldMessage } from '../../lib/forms';
import type { DeclareIncidentInput, QuickDeclareIncidentInput } from '@portal/contracts';
import { FIELD_ORDER, initialDraft, validate, validateQuick, type Draft, type FieldErrors, type FieldKey } from './draft';

/** The controls' side of the declare form: a control reads its value and message, and writes its changes. */
export interface DraftBinding {
  draft: Draft;
  /** The message under a control: the API's, else the form's own once the control was touched or the form submitted. */
  shown: (k: FieldKey) => string | undefined;
  update: <K extends keyof Draft>(key: K, value: Draft[K], field: FieldKey) => void;
  blur: (k: FieldKey) => () => void;
}

/** The draft, what was touched, the API's field errors, and the validation of the whole. `restored` is a draft kept
 * in this browser (draft-store.ts): the form starts from it, and every field it holds counts as touched. */
export function useDraftForm(tenant: TenantView, restored: Draft | null = null, quick = false) {
  const [draft, setDraft] = useState<Draft>(() => (restored ? { ...initialDraft(tenant.regions), ...restored } : initialDraft(tenant.regions)));
  const [touched, setTouched] = useState<Set<FieldKey>>(new Set());
  /** Anything typed or picked since the form opened (or restored): what a reload or a navigation would lose. */
  const [dirty, setDirty] = useState(restored !== null);
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});

  // Quick declaration (issue 18) checks only what the short form asks.
  const { errors, input }: { errors: FieldErrors; input: DeclareIncidentInput | QuickDeclareIncidentInput | null } = quick
    ? validateQuick(draft, tenant.serviceMode, tenant.regions)
    : validate(draft, tenant.serviceMode, tenant.regions);
  const shown = (k: FieldKey): string | undefined => {
    const m = serverErrors[k] ?? (submitted || touched.has(k) ? errors[k] : undefined);
    return m ? fieldMessage(m) : undefined;
  };
  const update = <K extends keyof Draft>(key: K, value: Draft[K], field: FieldKey) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setDirty(true);
    setTouched((t) => (t.has(field) ? t : new Set(t).add(field)));
    setServerErrors((s) => {
      if (!(field in s)) return s;
      const next = { ...s };
      delete next[field];
      return next;
    });
  };
  const blur = (k: FieldKey) => () => setTouched((t) => (t.has(k) ? t : new Set(t).add(k)));
  const errorCount = submitted ? FIELD_ORDER.filter((k) => errors[k] || serverErrors[k]).length : Object.keys(serverErrors).length;

  /** Back to a blank form (the user discarded the draft). */
  const reset = () => {
    setDraft(initialDraft(tenant.regions));
    setTouched(new Set());
    setSubmitted(false);
    setServerErrors({});
    setDirty(false);
  };

  const binding: DraftBinding = { draft, shown, update, blur };
  return { binding, draft, errors, input, errorCount, submitted, setSubmitted, serverErrors, setServerErrors, dirty, setDirty, reset };
}
