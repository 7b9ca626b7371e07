import { GatehouseError } from '@gatehouse/core';

/** Opaque offset cursors for lists the gateway aggregates itself. */
export function paginate<T>(items: T[], cursor: string | undefined, pageSize: number): { page: T[]; nextCursor?: string } {
  let offset = 0;
  if (cursor !== undefined) {
    const decoded = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0 || decoded > items.length) {
      throw new GatehouseError('validation_failed', 'Invalid pagination cursor.');
    }
    offset = decoded;
  }
  const page = items.slice(offset, offset + pageSize);
  const next = offset + pageSize;
  return next < items.length ? { page, nextCursor: Buffer.from(String(next)).toString('base64url') } : { page };
}
