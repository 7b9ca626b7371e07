import { describe, expect, it } from 'vitest';
import { payloadHash, type Trace } from '@gatehouse/audit';
import { toolCallSpans } from './otlp-records';

const trace = (over: Partial<Trace> = {}): Trace =>
  ({
    id: '0f8fad5b-d9cb-469f-a165-70867728950e',
    tenantId: 't',
    createdAt: new Date('2026-11-25T10:00:00.000Z'),
    userId: null,
    userEmail: 'dev@acme.test',
    clientName: 'claude-code',
    clientVersion: '2.1',
    sessionId: 's1',
    protocolVersion: '2025-11-25',
    profile: 'coding',
    server: 'crm',
    upstreamTool: 'sql_query',
    exposedTool: 'lookup',
    arguments: { email: 'a@b.c' },
    result: { content: [{ type: 'text', text: 'row' }] },
    resultTruncated: false,
    resultBytes: 40,
    error: null,
    errorCode: null,
    status: 'ok',
    latencyMs: 12.5,
    approvalId: null,
    upstreamStartMs: 1,
    upstreamMs: 10,
    payloadMode: null,
    scan: null,
    ...over,
  }) as Trace;

const attributesOf = (t: Trace, payloads: 'none' | 'hashed' | 'full') =>
  toolCallSpans(t, { tenantSlug: 'acme', payloads, approval: null, sequence: 7 })[0]!.attributes;

describe('toolCallSpans', () => {
  it('exports scanner findings as rule ids and categories, never the matched text', () => {
    const flagged = trace({
      scan: {
        ruleset: '2026.11.1',
        action: 'flagged',
        findings: [{ rule: 'secret.github-token', category: 'secret', severity: 'high', in: 'result', path: 'content[0].text', excerpt: 'ghp_… (40 characters)' }],
      },
    });
    const attributes = attributesOf(flagged, 'none');
    expect(attributes).toMatchObject({
      'gatehouse.scan.action': 'flagged',
      'gatehouse.scan.ruleset': '2026.11.1',
      'gatehouse.scan.rules': ['secret.github-token'],
      'gatehouse.scan.categories': ['secret'],
    });
    expect(JSON.stringify(attributes)).not.toContain('ghp_');
    expect(Object.keys(attributesOf(trace(), 'none')).filter((k) => k.startsWith('gatehouse.scan'))).toEqual([]);
  });

  it('carries payloads as the tenant chose: not at all, as hashes, or in full', () => {
    expect(Object.keys(attributesOf(trace(), 'none')).filter((k) => k.startsWith('gatehouse.tool.'))).toEqual([]);
    expect(attributesOf(trace(), 'hashed')).toMatchObject({
      'gatehouse.tool.arguments.sha256': payloadHash({ email: 'a@b.c' }),
      'gatehouse.tool.result.sha256': payloadHash({ content: [{ type: 'text', text: 'row' }] }),
    });
    expect(attributesOf(trace(), 'full')).toMatchObject({ 'gatehouse.tool.arguments': '{"email":"a@b.c"}' });
  });

  it('never exports more than the trace kept: a hashed trace exports its hash even when export asks for full', () => {
    const stored = trace({ payloadMode: 'hashed', arguments: { sha256: 'abc' }, result: null });
    const attributes = attributesOf(stored, 'full');
    expect(attributes['gatehouse.tool.arguments.sha256']).toBe('abc');
    expect(attributes['gatehouse.tool.arguments']).toBeUndefined();
    expect(attributes['gatehouse.tool.result']).toBeUndefined();
  });

  it('gives the same ids to the same record every time (the collector can deduplicate a re-send) and times the upstream call', () => {
    const [a, b] = [
      toolCallSpans(trace(), { tenantSlug: 'acme', payloads: 'none', approval: null, sequence: 1 }),
      toolCallSpans(trace(), { tenantSlug: 'acme', payloads: 'none', approval: null, sequence: 1 }),
    ];
    expect(a.map((s) => s.spanContext())).toEqual(b.map((s) => s.spanContext()));
    expect(a[0]!.spanContext().traceId).toBe('0f8fad5bd9cb469fa16570867728950e');
    const upstream = a.find((s) => s.parentSpanContext?.spanId === a[0]!.spanContext().spanId)!;
    expect(upstream.startTime).toEqual([1795600800, 1_000_000]);
    expect(upstream.duration).toEqual([0, 10_000_000]);
  });
});
