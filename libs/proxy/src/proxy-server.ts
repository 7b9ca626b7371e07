import type { Client } from '@modelcontextprotocol/client';
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  LOG_LEVEL_META_KEY,
  MissingRequiredClientCapabilityError,
  PROTOCOL_VERSION_META_KEY,
  ProtocolError,
  ProtocolErrorCode,
  Server,
  inputRequired,
  type CallToolResult,
  type RequestStateCodec,
  type ServerContext,
  type Tool,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { requiresApproval } from '@gatehouse/catalog';
import type { Principal } from '@gatehouse/identity';
import type { Endpoint, EndpointRegistry } from './endpoint-registry';
import type { CallerContext } from './call-context';
import { handleToolCall, HeldAsTask, StillHeld, type ToolCallDeps } from './tool-call';
import type { ExposedTool } from './tool-catalog';
import { legacyTaskShape, modernTaskShape, taskOf, TASKS_EXTENSION, type HeldCallTasks } from './held-call-tasks';
import { paginate } from './pagination';
import type { Passthrough } from './passthrough';
import { toProtocolError } from './json-rpc-errors';

export const GATEWAY_SERVER_INFO = { name: 'gatehouse', version: '0.1.0' };

const subscriptions = new WeakMap<Server, Set<string>>();
const stateAppliers = new WeakMap<Server, (state: SessionState) => void>();

/** What a 2025-era session set that outlives one request: carried to other gateway replicas. */
export interface SessionState {
  logLevel?: string;
  subscriptions: string[];
}

/** Hooks of a 2025-era session whose state is shared with other replicas. */
export interface SessionStateHooks {
  /** State the session had on another replica (a rebuilt session starts from it). */
  restore?: SessionState;
  /** Called after the client changes the log level or its resource subscriptions. */
  onChange?: (state: SessionState) => void;
}

/** Applies state another replica's copy of the session changed (resubscribing upstream where needed). */
export function applySessionState(server: Server, state: SessionState): void {
  stateAppliers.get(server)?.(state);
}

/** Resource URIs a downstream session subscribed to, for delivering upstream updates. */
export function subscriptionsOf(server: Server): ReadonlySet<string> {
  return subscriptions.get(server) ?? new Set();
}

export type DownstreamEra = 'legacy' | 'modern';

/** What a held call's requestState carries: which approval the retry re-attaches to. */
export interface HeldCallState {
  approvalId: string;
}

export interface ProxyServerDeps extends ToolCallDeps {
  registry: EndpointRegistry;
  /** Held calls as MCP tasks (`tasks/*`), for clients that can come back for a result later. */
  tasks: HeldCallTasks;
  /**
   * 2026-07-28 clients without the Tasks extension are held in rounds of this length, each
   * answered `input_required` with a sealed requestState naming the approval, so no single
   * request outlives a load balancer's timeout and any gateway can serve the next round.
   */
  approvalRoundMs: number;
  /** Seals and verifies that requestState (HMAC, bound to the caller; shared by every gateway). */
  requestState: RequestStateCodec<HeldCallState>;
  passthrough: Passthrough;
  pageSize: number;
  /**
   * SSE polling (SEP-1699): a call still running after this long has its response stream closed;
   * the client resumes with Last-Event-ID and gets the result from the session's event store. Only
   * streams of clients that can resume are closed. Unset or 0: never.
   */
  ssePollAfterMs?: number;
}

/**
 * Builds the MCP `Server` a client talks to for one endpoint and principal: a low-level server
 * whose handlers present the profile's curated tools and pass resources and prompts through. The
 * same construction serves both protocol eras (one instance per legacy session, one per modern
 * request); they differ only in how held calls become tasks (2025-11-25 core tasks, or the
 * 2026-07-28 Tasks extension).
 */
export function createProxyServer(
  deps: ProxyServerDeps,
  initial: Endpoint,
  principal: Principal,
  era: DownstreamEra,
  session: SessionStateHooks = {},
): Server {
  const { snapshot } = initial;
  // Re-resolved per request (a cached lookup), so a long-lived session sees config changes.
  const current = () => deps.registry.resolve(snapshot.tenantSlug, snapshot.profileSlug);
  const hasResources = snapshot.resourceServers.length > 0;
  const hasPrompts = snapshot.promptServers.length > 0;
  const server = new Server(GATEWAY_SERVER_INFO, {
    capabilities: {
      tools: { listChanged: true },
      logging: {},
      ...(hasResources ? { resources: { listChanged: true, subscribe: true } } : {}),
      ...(hasPrompts ? { prompts: { listChanged: true } } : {}),
      ...(hasResources || hasPrompts ? { completions: {} } : {}),
      ...(era === 'legacy'
        ? { tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } }
        : { extensions: { [TASKS_EXTENSION]: {} } }),
    },
    instructions: `Gatehouse profile "${snapshot.profileSlug}" of tenant "${snapshot.tenantSlug}".`,
    ...(era === 'modern' ? { requestState: { verify: (state: string, ctx: ServerContext) => deps.requestState.verify(state, ctx) } } : {}),
  });

  const callerOf = (ctx: ServerContext): CallerContext => {
    const envelope = (ctx.mcpReq.envelope ?? {}) as Record<string, unknown>;
    const modernClient = envelope[CLIENT_INFO_META_KEY] as { name?: string; version?: string } | undefined;
    const client = modernClient ?? server.getClientVersion();
    return {
      principal,
      sessionId: ctx.sessionId ?? null,
      protocolVersion: (envelope[PROTOCOL_VERSION_META_KEY] as string | undefined) ?? server.getNegotiatedProtocolVersion() ?? null,
      clientName: client?.name ?? null,
      clientVersion: client?.version ?? null,
    };
  };
  // Handlers throw only ProtocolErrors, so every failure reaches the client as a readable JSON-RPC error.
  const guarded =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (error) {
        throw toProtocolError(error);
      }
    };

  // One shape for every list the gateway aggregates across a profile's servers and pages itself.
  const aggregatedPage = async <T>(
    servers: Parameters<Passthrough['aggregate']>[0],
    cursor: string | undefined,
    list: (c: Client) => Promise<T[]>,
  ) => {
    const all = await deps.passthrough.aggregate(servers, list);
    return paginate(
      all.map((r) => r.item),
      cursor,
      deps.pageSize,
    );
  };

  server.setRequestHandler(
    'tools/list',
    guarded(async (request) => {
      const toolset = await (await current()).toolset();
      const { page, nextCursor } = paginate(toolset.tools, request.params?.cursor, deps.pageSize);
      const taskAware = era === 'legacy' && legacyTasks();
      return { tools: page.map((t) => withTaskSupport(t, taskAware)), ...(nextCursor ? { nextCursor } : {}) };
    }),
  );

  server.setRequestHandler('tools/call', async (request, ctx) => {
    const closeStream = ctx.http?.closeSSE;
    const poll = deps.ssePollAfterMs && closeStream ? setTimeout(closeStream, deps.ssePollAfterMs) : undefined;
    const resume = era === 'modern' ? heldCallState(ctx.mcpReq.requestState()) : undefined;
    const legacyTaskRequested = (request.params as { task?: unknown }).task !== undefined && legacyTasks();
    const asTask =
      era === 'legacy' ? (legacyTaskRequested ? 'requested' : undefined) : declaresTasksExtension(ctx) && !resume ? 'accepted' : undefined;
    const rounds =
      era === 'modern' && !asTask ? { roundMs: deps.approvalRoundMs, ...(resume ? { resume: resume.approvalId } : {}) } : undefined;
    try {
      const outcome = await handleToolCall(deps, await current(), callerOf(ctx), {
        asTask,
        rounds,
        name: request.params.name,
        arguments: request.params.arguments,
        progressToken: request.params._meta?.progressToken,
        signal: ctx.mcpReq.signal,
        notify: (notification) => ctx.mcpReq.notify(notification),
        meta: logLevel ? { [LOG_LEVEL_META_KEY]: logLevel } : undefined,
        relay: {
          request: (relayed) => ctx.mcpReq.send(relayed as never) as Promise<Record<string, unknown>>,
          notify: (relayed) => ctx.mcpReq.notify(relayed as never),
        },
      });
      if (outcome instanceof HeldAsTask) return createTaskResult(outcome, era);
      if (outcome instanceof StillHeld) {
        return inputRequired({
          requestState: await deps.requestState.mint({ approvalId: outcome.approval.id }, ctx),
        }) as unknown as CallToolResult;
      }
      return outcome;
    } finally {
      clearTimeout(poll);
    }
  });

  const legacyTasks = () => server.getNegotiatedProtocolVersion() === '2025-11-25';
  const taskId = z.object({ taskId: z.string() }).passthrough();
  if (era === 'legacy') {
    // 2025-11-25 core tasks: the SDK parses the vocabulary but leaves the runtime to servers.
    server.setRequestHandler(
      'tasks/get',
      { params: taskId },
      guarded(async (params, ctx) => legacyTaskShape(await deps.tasks.get(await current(), callerOf(ctx), params.taskId))),
    );
    server.setRequestHandler(
      'tasks/result',
      { params: taskId },
      guarded(async (params, ctx) => deps.tasks.result(await current(), callerOf(ctx), params.taskId, ctx.mcpReq.signal)),
    );
    server.setRequestHandler(
      'tasks/list',
      { params: z.object({ cursor: z.string().optional() }).passthrough() },
      guarded(async (params, ctx) => {
        const { tasks, nextCursor } = await deps.tasks.list(await current(), callerOf(ctx), params.cursor);
        return { tasks: tasks.map(legacyTaskShape), ...(nextCursor ? { nextCursor } : {}) };
      }),
    );
    server.setRequestHandler(
      'tasks/cancel',
      { params: taskId },
      guarded(async (params, ctx) => {
        const { task, withdrawn } = await deps.tasks.cancel(await current(), callerOf(ctx), params.taskId);
        if (!withdrawn) throw notCancellable(task.status);
        return legacyTaskShape(task);
      }),
    );
  } else {
    // 2026-07-28 Tasks extension: polling only, outcome inlined; there is never client input to deliver.
    const extensionCaller = (ctx: ServerContext) => {
      if (!declaresTasksExtension(ctx))
        throw new MissingRequiredClientCapabilityError({ requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } } as never);
      return callerOf(ctx);
    };
    server.setRequestHandler(
      'tasks/get',
      { params: taskId },
      guarded(async (params, ctx) => modernTaskShape(await deps.tasks.get(await current(), extensionCaller(ctx), params.taskId))),
    );
    server.setRequestHandler(
      'tasks/update',
      { params: taskId },
      guarded(async (params, ctx) => {
        // A held call never asks its client for input (the approver is someone else), so no
        // inputResponses are outstanding: acknowledged and ignored, as the extension specifies.
        await deps.tasks.get(await current(), extensionCaller(ctx), params.taskId);
        return {};
      }),
    );
    server.setRequestHandler(
      'tasks/cancel',
      { params: taskId },
      guarded(async (params, ctx) => {
        // Cooperative: acknowledged whether or not the call could still be withdrawn.
        await deps.tasks.cancel(await current(), extensionCaller(ctx), params.taskId);
        return {};
      }),
    );
  }

  // 2026-era upstreams take the log level per request; 2025-era ones get logging/setLevel too.
  let logLevel: string | undefined;
  const subscribed = new Set<string>();
  const stateChanged = () => session.onChange?.({ ...(logLevel ? { logLevel } : {}), subscriptions: [...subscribed] });
  const allServers = () => {
    const byId = new Map(
      [...snapshot.tools.map((t) => t.server), ...snapshot.resourceServers, ...snapshot.promptServers].map((s) => [s.id, s]),
    );
    return [...byId.values()];
  };
  server.setRequestHandler(
    'logging/setLevel',
    guarded(async (request) => {
      logLevel = request.params.level;
      stateChanged();
      // Upstreams that log get the level; their messages during a call are relayed to its client.
      await deps.passthrough.aggregate(allServers(), async (c) => {
        if (c.getServerCapabilities()?.logging) await c.setLoggingLevel(request.params.level);
        return [];
      });
      return {};
    }),
  );

  if (hasResources) {
    server.setRequestHandler(
      'resources/list',
      guarded(async (request) => {
        const { page, nextCursor } = await aggregatedPage(
          snapshot.resourceServers,
          request.params?.cursor,
          async (c) => (await c.listResources()).resources,
        );
        return { resources: page, ...(nextCursor ? { nextCursor } : {}) };
      }),
    );
    server.setRequestHandler(
      'resources/templates/list',
      guarded(async (request) => {
        const { page, nextCursor } = await aggregatedPage(
          snapshot.resourceServers,
          request.params?.cursor,
          async (c) => (await c.listResourceTemplates()).resourceTemplates,
        );
        return { resourceTemplates: page, ...(nextCursor ? { nextCursor } : {}) };
      }),
    );
    subscriptions.set(server, subscribed);
    server.setRequestHandler(
      'resources/subscribe',
      guarded(async (request) => {
        await deps.passthrough.subscribe(snapshot.resourceServers, request.params.uri);
        subscribed.add(request.params.uri);
        stateChanged();
        return {};
      }),
    );
    server.setRequestHandler(
      'resources/unsubscribe',
      guarded(async (request) => {
        subscribed.delete(request.params.uri);
        stateChanged();
        return {};
      }),
    );
    server.setRequestHandler(
      'resources/read',
      guarded(async (request) =>
        deps.passthrough.firstOwner(snapshot.resourceServers, `Resource "${request.params.uri}"`, (c) =>
          c.readResource({ uri: request.params.uri }, { cacheMode: 'bypass' }),
        ),
      ),
    );
  }

  if (hasPrompts) {
    server.setRequestHandler(
      'prompts/list',
      guarded(async (request) => {
        const { page, nextCursor } = await aggregatedPage(
          snapshot.promptServers,
          request.params?.cursor,
          async (c) => (await c.listPrompts()).prompts,
        );
        return { prompts: page, ...(nextCursor ? { nextCursor } : {}) };
      }),
    );
    server.setRequestHandler(
      'prompts/get',
      guarded(async (request) =>
        deps.passthrough.firstOwner(snapshot.promptServers, `Prompt "${request.params.name}"`, (c) =>
          c.getPrompt({ name: request.params.name, arguments: request.params.arguments }),
        ),
      ),
    );
  }

  if (hasResources || hasPrompts) {
    server.setRequestHandler(
      'completion/complete',
      guarded(async (request) => {
        const servers = request.params.ref.type === 'ref/prompt' ? snapshot.promptServers : snapshot.resourceServers;
        return deps.passthrough.firstOwner(servers, 'Completion target', (c) => c.complete(request.params));
      }),
    );
  }

  const applyState = (state: SessionState) => {
    logLevel = state.logLevel;
    const added = state.subscriptions.filter((uri) => !subscribed.has(uri));
    subscribed.clear();
    for (const uri of state.subscriptions) subscribed.add(uri);
    // This replica's upstream connections must subscribe too, or its copy of the session would
    // never hear of the updates (the replica holding the client's GET stream delivers them).
    for (const uri of hasResources ? added : []) void deps.passthrough.subscribe(snapshot.resourceServers, uri).catch(() => undefined);
  };
  if (session.restore) applyState(session.restore);
  stateAppliers.set(server, applyState);
  return server;
}

function heldCallState(state: unknown): HeldCallState | undefined {
  const approvalId = (state as Partial<HeldCallState> | undefined)?.approvalId;
  return typeof approvalId === 'string' ? { approvalId } : undefined;
}

function declaresTasksExtension(ctx: ServerContext): boolean {
  const envelope = (ctx.mcpReq.envelope ?? {}) as Record<string, unknown>;
  const capabilities = envelope[CLIENT_CAPABILITIES_META_KEY] as { extensions?: Record<string, unknown> } | undefined;
  return capabilities?.extensions?.[TASKS_EXTENSION] !== undefined;
}

/**
 * The tool as listed: `execution.taskSupport` is Gatehouse's own statement, never the upstream's
 * (calls are never forwarded as tasks). Calls that wait for approval may run as tasks for
 * 2025-11-25 clients; every other tool is forbidden (the field absent).
 */
function withTaskSupport(tool: ExposedTool, taskAware: boolean): Tool {
  return listedDefinition(tool.definition, taskAware && requiresApproval(tool.entry.approval, tool.upstream.annotations));
}

/** An exposed definition as `tools/list` carries it; `heldAsTask`: it may run as a task (see above). */
export function listedDefinition(exposed: Tool, heldAsTask: boolean): Tool {
  const { execution, ...definition } = exposed as Tool & { execution?: Record<string, unknown> };
  const { taskSupport: _upstreams, ...otherExecution } = execution ?? {};
  const ours = { ...otherExecution, ...(heldAsTask ? { taskSupport: 'optional' } : {}) };
  return (Object.keys(ours).length > 0 ? { ...definition, execution: ours } : definition) as Tool;
}

/** The immediate answer to a held call made as a task, in the client's era. */
function createTaskResult(held: HeldAsTask, era: DownstreamEra): CallToolResult {
  const task = taskOf(held.approval);
  if (era === 'modern') return { resultType: 'task', ...modernTaskShape(task) } as unknown as CallToolResult;
  // The SDK requires content beside `task`; empty, so no client mistakes it for the tool's output.
  return {
    content: [],
    task: legacyTaskShape(task),
    _meta: { 'io.modelcontextprotocol/model-immediate-response': `${task.statusMessage} Task ${task.taskId}: poll it for the result.` },
  } as unknown as CallToolResult;
}

function notCancellable(status: string): ProtocolError {
  return new ProtocolError(
    ProtocolErrorCode.InvalidParams,
    status === 'working'
      ? 'Cannot cancel task: the approved call is already running upstream; it will finish and its result will be kept.'
      : `Cannot cancel task: it is already in terminal status "${status}".`,
  );
}
