'use client';

import { useCallback, useEffect, useState } from 'react';
import { api } from '../api-client';

export interface Resource<T> {
  data: T | null;
  error: string | null;
  reload(): Promise<void>;
}

/** One GET of the API, loaded on mount and again on `reload()` (after a change the page made). */
export function useResource<T>(path: string): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    try {
      setData(await api<T>(path));
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  }, [path]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, reload };
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
