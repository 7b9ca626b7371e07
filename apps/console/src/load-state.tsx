'use client';

import { Alert, Text } from '@mantine/core';

/** What a page shows while its data is not there: the API's error, or that it is loading. */
export function LoadState({ error, loading, errorTitle }: { error: string | null; loading: boolean; errorTitle?: string }) {
  if (error) {
    return (
      <Alert color="red" role="alert" title={errorTitle} mb="sm">
        {error}
      </Alert>
    );
  }
  return loading ? <Text aria-busy="true">Loading…</Text> : null;
}
