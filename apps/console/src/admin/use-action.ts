'use client';

import { useState } from 'react';
import { errorText } from './use-resource';

export interface Action {
  busy: boolean;
  /** The API's refusal of the last run, until one succeeds. */
  error: string | null;
  /** Runs `action` once, marking busy meanwhile; true when it succeeded. */
  run(action: () => Promise<void>): Promise<boolean>;
  clearError(): void;
}

/** One button's call to the API: busy while it runs, the API's error text when it fails. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (action: () => Promise<void>): Promise<boolean> => {
    setBusy(true);
    try {
      await action();
      setError(null);
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, clearError: () => setError(null) };
}
