import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { DeclareIncidentInput, QuickDeclareIncidentInput } from '@portal/contracts';
import { ApiError } from '../../api/client';
import { api } from '../../api/endpoints';
import type { Incident } from '../../api/types';

/** Past this, the form says the portal is slow and shows the other ways to reach Claresia, while it keeps waiting. */
export const SLOW_AFTER_MS = 4_000;
/** A request the portal has not answered by then is given up and sent again (same Idempotency-Key). */
const REQUEST_TIMEOUT_MS = 20_000;
const RETRY_MS = [1_000, 2_000, 4_000, 8_000, 15_000];

export type SenderState = 'idle' | 'sending' | 'waiting';

/** One declaration on its way: the full form's or the quick one's (issue 18), with its key. */
interface Declaration {
  input: DeclareIncidentInput | QuickDeclareIncidentInput;
  key: string;
  quick: boolean;
}

/** The portal did not answer, or its front door answered for it: worth sending again. Anything else is an answer. */
export const isUnreachable = (e: unknown) => e instanceof ApiError && (e.status === 0 || e.status === 502 || e.status === 503 || e.status === 504);

/**
 * Sends a declaration and, while the portal does not answer, keeps sending it (issue 18, "declare when the portal
 * is struggling"): every attempt carries the same Idempotency-Key, so an attempt that reached the portal but whose
 * answer was lost gets the same incident back instead of a second one. Retries back off to every 15 s and go at
 * once when the browser comes back online.
 */
export function useDeclarationSender(onDeclared: (incident: Incident) => void, onRefused: (error: unknown) => void) {
  const [state, setState] = useState<SenderState>('idle');
  const [slow, setSlow] = useState(false);
  const [attempts, setAttempts] = useState(0);
  const tries = useRef(0);
  const pending = useRef<Declaration | null>(null);
  const retryTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const inFlight = useRef<AbortController | null>(null);
  const callbacks = useRef({ onDeclared, onRefused });
  useLayoutEffect(() => {
    callbacks.current = { onDeclared, onRefused };
  });
  /** The retry timer calls the current `attempt` through this ref. */
  const again = useRef<() => void>(() => {});

  const attempt = useCallback(async () => {
    const job = pending.current;
    if (!job || inFlight.current) return;
    clearTimeout(retryTimer.current);
    const ctrl = new AbortController();
    inFlight.current = ctrl;
    const giveUp = setTimeout(() => ctrl.abort(), REQUEST_TIMEOUT_MS);
    const slowTimer = setTimeout(() => setSlow(true), SLOW_AFTER_MS);
    tries.current += 1;
    setAttempts(tries.current);
    try {
      const opts = { headers: { 'idempotency-key': job.key }, signal: ctrl.signal };
      const incident = job.quick
        ? await api.quickDeclare(job.input as QuickDeclareIncidentInput, opts)
        : await api.declare(job.input as DeclareIncidentInput, opts);
      if (pending.current !== job) return;
      pending.current = null;
      setState('idle');
      setSlow(false);
      callbacks.current.onDeclared(incident);
    } catch (e) {
      if (pending.current !== job) return;
      if (isUnreachable(e)) {
        setState('waiting');
        setSlow(true);
        retryTimer.current = setTimeout(() => again.current(), RETRY_MS[Math.min(tries.current - 1, RETRY_MS.length - 1)]);
      } else {
        pending.current = null;
        setState('idle');
        setSlow(false);
        callbacks.current.onRefused(e);
      }
    } finally {
      clearTimeout(giveUp);
      clearTimeout(slowTimer);
      if (inFlight.current === ctrl) inFlight.current = null;
    }
  }, []);

  useEffect(() => {
    again.current = () => void attempt();
  }, [attempt]);

  const send = useCallback(
    (input: DeclareIncidentInput | QuickDeclareIncidentInput, key: string, quick = false) => {
      pending.current = { input, key, quick };
      tries.current = 0;
      setAttempts(0);
      setState('sending');
      void attempt();
    },
    [attempt],
  );

  /** Stops sending (the user wants to edit, or declared another way); the draft and its key stay. */
  const stop = useCallback(() => {
    pending.current = null;
    clearTimeout(retryTimer.current);
    inFlight.current?.abort();
    inFlight.current = null;
    setState('idle');
    setSlow(false);
  }, []);

  useEffect(() => {
    const online = () => {
      if (pending.current) void attempt();
    };
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('online', online);
      pending.current = null;
      clearTimeout(retryTimer.current);
      inFlight.current?.abort();
    };
  }, [attempt]);

  return { state, slow, attempts, send, stop, retryNow: attempt };
}
