'use client';

import { Alert, Anchor, Button, Group, Paper, Text, Textarea, Title } from '@mantine/core';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useCallback, useEffect, useState } from 'react';
import { api, type Approval } from '../../../src/api-client';
import { FieldList } from '../../../src/field-list';
import { RequireRole } from '../../../src/require-role';
import { useMe, usePending } from '../../../src/session';
import { StatusBadge } from '../../../src/status-badge';
import { JsonText, resultText, TextBlock } from '../../../src/text-blocks';
import { ago, localTime, timeLeft } from '../../../src/time';

const settled = (a: Approval) => a.status !== 'pending' && a.execution !== 'queued' && a.execution !== 'running';

function ApprovalDetail({ id }: { id: string }) {
  const me = useMe();
  const pending = usePending();
  const [approval, setApproval] = useState<Approval | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const base = `/api/tenants/${encodeURIComponent(me.tenant.slug)}/approvals/${encodeURIComponent(id)}`;

  const load = useCallback(async () => {
    try {
      setApproval(await api<Approval>(base));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, [base]);

  useEffect(() => {
    void load();
  }, [load]);
  // Until it has run (or was refused), follow it: the decision may come from elsewhere.
  useEffect(() => {
    if (!approval || settled(approval)) return;
    const timer = setInterval(() => void load(), 2000);
    return () => clearInterval(timer);
  }, [approval, load]);

  const decide = async (decision: 'approve' | 'deny') => {
    setBusy(true);
    setError(null);
    try {
      setApproval(
        await api<Approval>(`${base}/${decision}`, {
          method: 'POST',
          csrfToken: me.csrfToken,
          body: JSON.stringify(reason.trim() ? { reason: reason.trim() } : {}),
        }),
      );
      void pending?.refresh();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  if (!approval) {
    return error ? (
      <Alert color="red" role="alert">
        {error}
      </Alert>
    ) : (
      <Text aria-busy="true">Loading…</Text>
    );
  }
  const text = resultText(approval.result);
  const scan = approval.scan;
  return (
    <>
      <Anchor component={Link} href="/approvals">
        ← Approvals inbox
      </Anchor>
      <Group gap="sm" my="md" wrap="wrap">
        <Title order={1} className="wrap">
          {approval.exposedTool}
        </Title>
        <StatusBadge status={approval.status} />
      </Group>
      <FieldList
        fields={[
          ['Caller', approval.requesterEmail],
          ['Client', approval.clientName ? `${approval.clientName} ${approval.clientVersion ?? ''}` : '—'],
          ['Profile', approval.profile],
          ['Upstream', `${approval.server}/${approval.upstreamTool}`],
          ['Why it is held', approval.policyReason],
          scan && ['Scanner', `${scan.action}: ${scan.findings.map((f) => `${f.rule} (${f.in} ${f.path})`).join(', ')}`, 'approval-scan'],
          ['Requested', `${localTime(approval.createdAt)} (${ago(approval.createdAt)})`],
          ['Expires', `${localTime(approval.expiresAt)} (${timeLeft(approval.expiresAt)})`],
          !!approval.deciderEmail && [
            'Decided by',
            `${approval.deciderEmail}${approval.decidedAt ? ` at ${localTime(approval.decidedAt)}` : ''}`,
          ],
          !!approval.deciderEmail && ['Reason', approval.reason ?? '—'],
          approval.execution && ['Execution', approval.execution, 'execution'],
        ]}
      />
      <Title order={2} size="h3" mt="lg" mb="xs">
        Arguments
      </Title>
      {approval.payloadPurged ? (
        <Text c="dimmed">Purged after the tenant&apos;s retention period.</Text>
      ) : (
        <JsonText value={approval.arguments} label="Arguments" testId="approval-arguments" />
      )}
      {approval.status === 'pending' && (
        <Paper component="form" withBorder p="md" mt="lg" maw={720} onSubmit={(e) => e.preventDefault()}>
          <Textarea
            label="Reason"
            description="Recorded in the audit log and sent to the caller on deny."
            name="reason"
            autosize
            minRows={3}
            maxLength={2000}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
          />
          <Group mt="md">
            <Button color="green.9" loading={busy} onClick={() => void decide('approve')}>
              Approve
            </Button>
            <Button color="red.9" loading={busy} onClick={() => void decide('deny')}>
              Deny
            </Button>
          </Group>
        </Paper>
      )}
      {error && (
        <Alert color="red" role="alert" mt="md">
          {error}
        </Alert>
      )}
      {(approval.result || approval.executionError) && (
        <>
          <Title order={2} size="h3" mt="lg" mb="xs">
            Result
          </Title>
          {approval.executionError && (
            <Alert color="red" role="alert" mb="sm">
              {approval.executionError}
            </Alert>
          )}
          {text !== null && (
            <TextBlock label="Result text" testId="approval-result-text">
              {text}
            </TextBlock>
          )}
          {approval.result && <JsonText value={approval.result} label="Result (raw)" />}
        </>
      )}
    </>
  );
}

export default function ApprovalPage() {
  const params = useParams<{ id: string }>();
  return <RequireRole role="approver">{params.id ? <ApprovalDetail id={params.id} /> : null}</RequireRole>;
}
