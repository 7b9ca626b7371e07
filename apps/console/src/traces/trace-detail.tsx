import { Accordion, Anchor, Group, Paper, Text, Title } from '@mantine/core';
import Link from 'next/link';
import type { Trace } from '../api-client';
import { FieldList } from '../field-list';
import { StatusBadge } from '../status-badge';
import { JsonText, resultText, TextBlock } from '../text-blocks';
import { localTime } from '../time';

/** One tool call in full: who, what, how long, the approval, and arguments and result as text only. */
export function TraceDetail({ trace, closeHref, canOpenApprovals }: { trace: Trace; closeHref: string; canOpenApprovals: boolean }) {
  const text = resultText(trace.result);
  const scan = trace.scan;
  return (
    <Paper component="section" withBorder p="md" mt="lg" aria-labelledby="trace-detail" data-testid="trace-detail">
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Group gap="sm" wrap="wrap" miw={0}>
          <Title order={2} id="trace-detail" className="wrap">
            {trace.exposedTool}
          </Title>
          <StatusBadge status={trace.status} />
        </Group>
        <Anchor component={Link} href={closeHref} scroll={false}>
          Close
        </Anchor>
      </Group>
      <FieldList
        fields={[
          ['Trace id', <code key="id">{trace.id}</code>],
          ['When', localTime(trace.createdAt)],
          ['User', trace.userEmail ?? '—'],
          ['Client', trace.clientName ? `${trace.clientName} ${trace.clientVersion ?? ''}` : '—'],
          ['Profile', trace.profile],
          ['Upstream', trace.server ? `${trace.server}/${trace.upstreamTool ?? ''}` : '—'],
          ['Latency', `${trace.latencyMs.toFixed(1)} ms`, 'trace-latency'],
          [
            'Approval',
            trace.approvalId ? (
              canOpenApprovals ? (
                <Anchor component={Link} href={`/approvals/${trace.approvalId}`}>
                  {trace.approvalId}
                </Anchor>
              ) : (
                trace.approvalId
              )
            ) : (
              'not needed'
            ),
          ],
          !!trace.payloadMode && ['Payloads', trace.payloadMode],
          scan && ['Scanner', `${scan.action}: ${scan.findings.map((f) => `${f.rule} (${f.in} ${f.path})`).join(', ')}`],
        ]}
      />
      {trace.error && (
        <>
          <Title order={3} mt="lg" mb="xs">
            Error
          </Title>
          <TextBlock label="Error" testId="trace-error">
            {trace.errorCode ? `[${trace.errorCode}] ` : ''}
            {trace.error}
          </TextBlock>
        </>
      )}
      <Title order={3} mt="lg" mb="xs">
        Arguments
      </Title>
      <JsonText value={trace.arguments} label="Arguments" testId="trace-arguments" />
      <Title order={3} mt="lg" mb="xs">
        Result{trace.resultTruncated ? ' (truncated)' : ''}
      </Title>
      {text !== null && (
        <>
          <Text fw={600} size="sm" mb={4}>
            Text content
          </Text>
          <TextBlock label="Result text" testId="trace-result-text">
            {text}
          </TextBlock>
        </>
      )}
      <Text fw={600} size="sm" mt="sm" mb={4}>
        As returned (JSON)
      </Text>
      <JsonText value={trace.result} label="Result" testId="trace-result" />
      <Accordion variant="contained" mt="md">
        <Accordion.Item value="raw">
          <Accordion.Control>Raw JSON</Accordion.Control>
          <Accordion.Panel>
            <JsonText value={trace} label="Raw trace JSON" testId="trace-raw" />
          </Accordion.Panel>
        </Accordion.Item>
      </Accordion>
    </Paper>
  );
}
