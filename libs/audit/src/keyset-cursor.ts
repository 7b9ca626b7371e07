import { GatehouseError } from '@gatehouse/core';

/** Position after a row in (created_at, id) descending order: the keyset pagination cursor. */
export interface KeysetCursor {
  t: string;
  id: string;
}

export function encodeKeysetCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify({ t: row.createdAt.toISOString(), id: row.id } satisfies KeysetCursor)).toString('base64url');
}

export function decodeKeysetCursor(cursor: string): KeysetCursor {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as KeysetCursor;
    if (typeof parsed.t !== 'string' || typeof parsed.id !== 'string' || Number.isNaN(new Date(parsed.t).getTime()))
      throw new Error('shape');
    return parsed;
  } catch {
    throw new GatehouseError('validation_failed', 'invalid cursor');
  }
}
