import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { Client } from '@modelcontextprotocol/client';
import { Trace } from '@gatehouse/audit';
import type { DemoHttpServer } from '@gatehouse/demo-servers';
import type { RunningGateway } from '@gatehouse/gateway';
import { applyYaml, connectClient, issueToken, uniqueSlug } from '../support/test-gateway';
import { codingTenantYaml, startApprovalStage, type ApprovalStage, type ApproverApi } from '../support/approvals';
import { modernRpc, TASKS_EXTENSION } from '../support/modern-rpc';

const yaml = (slug: string, url: string) =>
  codingTenantYaml(slug, url, { settings: '    approvals: { timeout: 10m, approvers: approver }', devs: ['dev', 'dev2'] });

const TaskSchema = z.object({
  taskId: z.string(),
  status: z.string(),
  statusMessage: z.string().optional(),
  createdAt: z.string(),
  lastUpdatedAt: z.string(),
  ttl: z.number().nullable(),
  pollInterval: z.number().optional(),
});
const CreateTaskResultSchema = z.object({ task: TaskSchema }).passthrough();
const CallToolResultSchema = z.object({
  content: z.array(z.any()),
  structuredContent: z.any().optional(),
  isError: z.boolean().optional(),
  _meta: z.record(z.string(), z.any()).optional(),
});

describe('held calls as MCP tasks: the client comes back for the outcome later, from any gateway', () => {
  let db: DataSource;
  let upstream: DemoHttpServer;
  let gateways: RunningGateway[];
  let approvers: ApproverApi;
  let stage: ApprovalStage;
  let tokens: Record<string, string> = {};
  const acme = uniqueSlug('acme');
  const globex = uniqueSlug('globex');
  const deletes = () => stage.deletes();
  const trace = (approvalId: string) => db.getRepository(Trace).findOneByOrFail({ approvalId });

  // 2025-11-25 task vocabulary, sent with the SDK Client's typed request().
  const getTask = (client: Client, taskId: string) => client.request({ method: 'tasks/get', params: { taskId } } as never, TaskSchema);
  const taskResult = (client: Client, taskId: string) =>
    client.request({ method: 'tasks/result', params: { taskId } } as never, CallToolResultSchema);
  const cancelTask = (client: Client, taskId: string) =>
    client.request({ method: 'tasks/cancel', params: { taskId } } as never, TaskSchema);
  const callAsTask = (client: Client, name: string, args: Record<string, unknown>) =>
    client.request({ method: 'tools/call', params: { name, arguments: args, task: { ttl: 60_000 } } }, CreateTaskResultSchema);

  beforeAll(async () => {
    stage = await startApprovalStage({
      tenant: acme,
      yaml,
      users: ['dev', 'dev2', 'lead'],
      gatewayEnv: { GATEWAY_APPROVAL_POLL_MS: '2000', GATEWAY_APPROVAL_RECONCILE_MS: '500' },
    });
    ({ db, upstream, gateways, approvers, tokens } = stage);
    await applyYaml(db, yaml(globex, upstream.url));
    tokens.globexDev = await issueToken(db, globex, `dev@${globex}.test`);
  });
  afterAll(() => stage?.close());

  it('2025-11-25: advertises tasks for calls that wait for approval, answers with a task at once, and serves the result after a reconnect elsewhere', async () => {
    const client = await connectClient(gateways[0]!.url, acme, 'coding', tokens.dev!);
    expect(client.getServerCapabilities()?.tasks).toMatchObject({ list: {}, cancel: {}, requests: { tools: { call: {} } } });
    const tools = (await client.listTools()).tools;
    expect(tools.find((t) => t.name === 'delete_repository')?.execution).toEqual({ taskSupport: 'optional' });
    expect(tools.find((t) => t.name === 'list_repositories')?.execution?.taskSupport).toBeUndefined();

    const before = deletes();
    const created = await callAsTask(client, 'delete_repository', { name: 'payments-api' });
    const { taskId } = created.task;
    expect(created.task).toMatchObject({ status: 'working', ttl: null, pollInterval: 5000 });
    expect(created.task.statusMessage).toContain('Waiting for an approver');
    expect(created._meta?.['io.modelcontextprotocol/model-immediate-response']).toContain(taskId);
    expect((await getTask(client, taskId)).status).toBe('working');
    expect((await approvers.get(tokens.lead!, taskId)).status).toBe('pending'); // the task is the approval
    expect(deletes()).toBe(before);
    await client.close(); // the client goes away while the call waits

    expect((await approvers.decide(tokens.lead!, taskId, 'approve', 'Archived.')).status).toBe(200);
    await approvers.waitForOutcome(tokens.lead!, taskId);

    const later = await connectClient(gateways[1]!.url, acme, 'coding', tokens.dev!);
    const result = await taskResult(later, taskId);
    expect(result.structuredContent).toMatchObject({ deleted: { name: 'payments-api' } });
    expect(result._meta?.['io.modelcontextprotocol/related-task']).toEqual({ taskId });
    const done = await getTask(later, taskId);
    expect(done).toMatchObject({ status: 'completed' });
    expect(done.statusMessage).toContain(`lead@${acme}.test`);
    expect(deletes()).toBe(before + 1);
    expect(await trace(taskId)).toMatchObject({ status: 'ok', exposedTool: 'delete_repository' });

    const listed = await later.request({ method: 'tasks/list', params: {} } as never, z.object({ tasks: z.array(TaskSchema) }));
    expect(listed.tasks.map((t) => t.taskId)).toContain(taskId);
    await later.close();
  });

  it('2025-11-25: tasks/result blocks until the decision, and a denial fails the task with an error naming it', async () => {
    const client = await connectClient(gateways[0]!.url, acme, 'coding', tokens.dev!);
    const { task } = await callAsTask(client, 'delete_repository', { name: 'web-storefront' });
    const waiting = taskResult(client, task.taskId);
    waiting.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    expect((await approvers.decide(tokens.lead!, task.taskId, 'deny', 'Storefront is live')).status).toBe(200);
    await expect(waiting).rejects.toThrow(`lead@${acme}.test denied this call to "delete_repository": Storefront is live. It did not run.`);
    const failed = await getTask(client, task.taskId);
    expect(failed.status).toBe('failed');
    expect(failed.statusMessage).toContain('denied');
    expect(await trace(task.taskId)).toMatchObject({ status: 'denied', errorCode: 'approval_denied' });
    await client.close();
  });

  it('2025-11-25: tasks/cancel withdraws a pending call; it never runs and a later approval is a conflict', async () => {
    const client = await connectClient(gateways[1]!.url, acme, 'coding', tokens.dev!);
    const before = deletes();
    const { task } = await callAsTask(client, 'delete_repository', { name: 'infra-terraform' });
    const cancelled = await cancelTask(client, task.taskId);
    expect(cancelled).toMatchObject({ taskId: task.taskId, status: 'cancelled' });
    expect(cancelled.statusMessage).toContain('withdrew');

    const late = await approvers.decide(tokens.lead!, task.taskId, 'approve');
    expect(late.status).toBe(409);
    expect((await late.json()).error.message).toContain('already withdrawn');
    await expect(cancelTask(client, task.taskId)).rejects.toThrow('already in terminal status "cancelled"');
    await expect(taskResult(client, task.taskId)).rejects.toThrow('withdrew');
    expect((await approvers.list(tokens.lead!, 'withdrawn')).map((a) => a.id)).toContain(task.taskId);
    expect(await trace(task.taskId)).toMatchObject({ status: 'error', errorCode: 'approval_withdrawn' });
    await new Promise((r) => setTimeout(r, 600)); // a reconciler sweep: still nothing runs
    expect(deletes()).toBe(before);
    await client.close();
  });

  it("2025-11-25: a task is its requester's alone: another user or tenant cannot see, wait on or cancel it", async () => {
    const client = await connectClient(gateways[0]!.url, acme, 'coding', tokens.dev!);
    const { task } = await callAsTask(client, 'delete_repository', { name: 'design-system' });
    const colleague = await connectClient(gateways[0]!.url, acme, 'coding', tokens.dev2!);
    const outsider = await connectClient(gateways[1]!.url, globex, 'coding', tokens.globexDev!);
    for (const other of [colleague, outsider]) {
      await expect(getTask(other, task.taskId)).rejects.toThrow(`no task "${task.taskId}" on this endpoint`);
      await expect(taskResult(other, task.taskId)).rejects.toThrow('no task');
      await expect(cancelTask(other, task.taskId)).rejects.toThrow('no task');
      const theirs = await other.request({ method: 'tasks/list', params: {} } as never, z.object({ tasks: z.array(TaskSchema) }));
      expect(theirs.tasks.map((t) => t.taskId)).not.toContain(task.taskId);
    }
    await expect(getTask(client, 'not-a-task')).rejects.toThrow('no task "not-a-task"');
    expect((await approvers.get(tokens.lead!, task.taskId)).status).toBe('pending');
    await cancelTask(client, task.taskId);
    for (const c of [client, colleague, outsider]) await c.close();
  });

  it('2025-11-25: a task on a tool that does not wait for approval is refused (-32601) and traced', async () => {
    const client = await connectClient(gateways[0]!.url, acme, 'coding', tokens.dev!);
    await expect(callAsTask(client, 'list_repositories', {})).rejects.toThrow('does not run as a task');
    expect((await client.callTool({ name: 'list_repositories', arguments: {} })).isError).toBeFalsy();
    await client.close();
  });

  it('2026-07-28 Tasks extension: a held call answers with resultType "task", polled to completion with the result inlined', async () => {
    const url = `${gateways[1]!.url}/mcp/${acme}/coding`;
    const discover = await modernRpc(url, tokens.dev!, 'server/discover', {});
    expect((discover.result?.capabilities as { extensions?: object }).extensions).toHaveProperty([TASKS_EXTENSION]);

    const before = deletes();
    const created = await modernRpc(url, tokens.dev!, 'tools/call', { name: 'delete_repository', arguments: { name: 'legacy-billing' } });
    expect(created.result).toMatchObject({ resultType: 'task', status: 'working', ttlMs: null, pollIntervalMs: 5000 });
    const taskId = created.result!.taskId as string;
    expect((await modernRpc(url, tokens.dev!, 'tasks/get', { taskId })).result).toMatchObject({
      resultType: 'complete',
      taskId,
      status: 'working',
    });
    // No input is ever outstanding on a held call: an update is acknowledged and changes nothing.
    expect(
      (await modernRpc(url, tokens.dev!, 'tasks/update', { taskId, inputResponses: { x: { action: 'accept' } } })).result,
    ).toMatchObject({ resultType: 'complete' });

    expect((await approvers.decide(tokens.lead!, taskId, 'approve')).status).toBe(200);
    await approvers.waitForOutcome(tokens.lead!, taskId);
    const done = await modernRpc(`${gateways[0]!.url}/mcp/${acme}/coding`, tokens.dev!, 'tasks/get', { taskId });
    expect(done.result).toMatchObject({ status: 'completed', result: { structuredContent: { deleted: { name: 'legacy-billing' } } } });
    expect(deletes()).toBe(before + 1);
    // Cancelling a finished task is acknowledged (cooperative) and changes nothing.
    expect((await modernRpc(url, tokens.dev!, 'tasks/cancel', { taskId })).result).toMatchObject({ resultType: 'complete' });
    expect((await modernRpc(url, tokens.dev!, 'tasks/get', { taskId })).result).toMatchObject({ status: 'completed' });
  });

  it('2026-07-28 Tasks extension: denial fails the task with the JSON-RPC error; undeclared clients and strangers are refused', async () => {
    const url = `${gateways[0]!.url}/mcp/${acme}/coding`;
    const created = await modernRpc(url, tokens.dev!, 'tools/call', { name: 'delete_repository', arguments: { name: 'old-wiki' } });
    const taskId = created.result!.taskId as string;

    const undeclared = await modernRpc(url, tokens.dev!, 'tasks/get', { taskId }, { tasks: false });
    expect(undeclared.error).toMatchObject({ code: -32021, data: { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } } });
    expect((await modernRpc(url, tokens.dev2!, 'tasks/get', { taskId })).error).toMatchObject({ code: -32602 });
    expect((await modernRpc(url, tokens.dev2!, 'tasks/cancel', { taskId })).error).toMatchObject({ code: -32602 });
    expect((await modernRpc(url, tokens.dev!, 'tasks/get', { taskId: 'f0f0f0f0-0000-4000-8000-000000000000' })).error).toMatchObject({
      code: -32602,
    });

    expect((await approvers.decide(tokens.lead!, taskId, 'deny', 'Keep the wiki')).status).toBe(200);
    const failed = await modernRpc(url, tokens.dev!, 'tasks/get', { taskId });
    expect(failed.result).toMatchObject({ status: 'failed', error: { data: { code: 'approval_denied', approvalId: taskId } } });
    expect((failed.result!.error as { message: string }).message).toBe(
      `lead@${acme}.test denied this call to "delete_repository": Keep the wiki. It did not run.`,
    );
  });

  it('2026-07-28 Tasks extension: tasks/cancel withdraws a pending call', async () => {
    const url = `${gateways[0]!.url}/mcp/${acme}/coding`;
    const before = deletes();
    const created = await modernRpc(url, tokens.dev!, 'tools/call', { name: 'delete_repository', arguments: { name: 'sandbox' } });
    const taskId = created.result!.taskId as string;
    expect((await modernRpc(url, tokens.dev!, 'tasks/cancel', { taskId })).result).toMatchObject({ resultType: 'complete' });
    expect((await modernRpc(url, tokens.dev!, 'tasks/get', { taskId })).result).toMatchObject({ status: 'cancelled' });
    expect((await approvers.decide(tokens.lead!, taskId, 'approve')).status).toBe(409);
    expect(deletes()).toBe(before);
  });
});

describe('held calls in rounds: 2026-07-28 clients without the Tasks extension re-attach with a sealed requestState', () => {
  let gateways: RunningGateway[];
  let approvers: ApproverApi;
  let stage: ApprovalStage;
  let tokens: Record<string, string> = {};
  const acme = uniqueSlug('acme');
  const deletes = () => stage.deletes();
  const heldCalls = async (name: string) =>
    (await approvers.list(tokens.lead!)).filter(
      (a) => a.exposedTool === 'delete_repository' && (a.arguments as { name?: string }).name === name,
    );

  beforeAll(async () => {
    stage = await startApprovalStage({
      tenant: acme,
      yaml,
      users: ['dev', 'dev2', 'lead'],
      gatewayEnv: { GATEWAY_APPROVAL_ROUND_MS: '300', GATEWAY_APPROVAL_POLL_MS: '2000' },
    });
    ({ gateways, approvers, tokens } = stage);
  });
  afterAll(() => stage?.close());

  it('the SDK Client rides the rounds transparently: one approval however many rounds, then the real result', async () => {
    const client = await connectClient(gateways[0]!.url, acme, 'coding', tokens.dev!, 'modern');
    const before = deletes();
    const call = client.callTool({ name: 'delete_repository', arguments: { name: 'payments-api' } });
    const held = await approvers.waitForPending(tokens.lead!, 'delete_repository');
    await new Promise((r) => setTimeout(r, 1200)); // several 300 ms rounds
    expect(await heldCalls('payments-api')).toHaveLength(1);
    expect(deletes()).toBe(before);
    expect((await approvers.decide(tokens.lead!, held.id as string, 'approve')).status).toBe(200);
    expect((await call).structuredContent).toMatchObject({ deleted: { name: 'payments-api' } });
    expect(deletes()).toBe(before + 1);
    await client.close();
  });

  it('answers input_required with a requestState that any gateway accepts, and the decision on a later round', async () => {
    const urls = gateways.map((g) => `${g.url}/mcp/${acme}/coding`);
    const args = { name: 'delete_repository', arguments: { name: 'hop-repo' } };
    const first = await modernRpc(urls[0]!, tokens.dev!, 'tools/call', args, { tasks: false });
    expect(first.result).toMatchObject({ resultType: 'input_required' });
    expect(first.result!.inputRequests ?? {}).toEqual({});
    const state = first.result!.requestState as string;

    const second = await modernRpc(urls[1]!, tokens.dev!, 'tools/call', { ...args, requestState: state }, { tasks: false });
    expect(second.result).toMatchObject({ resultType: 'input_required' });
    const [held] = await heldCalls('hop-repo');
    expect(await heldCalls('hop-repo')).toHaveLength(1);

    const tampered = `${state.slice(0, -4)}AAAA`;
    expect(
      (await modernRpc(urls[1]!, tokens.dev!, 'tools/call', { ...args, requestState: tampered }, { tasks: false })).error,
    ).toMatchObject({
      code: -32602,
      message: 'Invalid or expired requestState',
    });
    // Another user replaying it (bound to the caller), or the caller pointing it at another call: refused.
    const replayed = await modernRpc(urls[0]!, tokens.dev2!, 'tools/call', { ...args, requestState: state }, { tasks: false });
    expect(replayed.error).toMatchObject({ code: -32602, message: 'Invalid or expired requestState' });
    const elsewhere = await modernRpc(
      urls[0]!,
      tokens.dev!,
      'tools/call',
      { name: 'delete_repository', arguments: { name: 'other-repo' }, requestState: state },
      { tasks: false },
    );
    expect(elsewhere.error?.message).toContain('belongs to a different held call');
    expect(await heldCalls('other-repo')).toHaveLength(0);

    expect((await approvers.decide(tokens.lead!, held!.id as string, 'deny', 'Not this one')).status).toBe(200);
    const decided = await modernRpc(
      urls[1]!,
      tokens.dev!,
      'tools/call',
      { ...args, requestState: second.result!.requestState },
      { tasks: false },
    );
    expect(decided.error?.message).toBe(`lead@${acme}.test denied this call to "delete_repository": Not this one. It did not run.`);
    expect(await heldCalls('hop-repo')).toHaveLength(1);
  });
});
