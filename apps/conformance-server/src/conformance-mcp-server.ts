/**
 * The MCP surface the official conformance server scenarios
 * (`@modelcontextprotocol/conformance server`) exercise: every tool, resource,
 * prompt and completion they call, with the exact names and shapes they check.
 *
 * One factory backs both protocol eras. Server→client interactions (sampling,
 * elicitation) are written once as multi-round-trip `inputRequired(...)`
 * handlers: on the 2026-07-28 era the client fulfils them and retries; on a
 * sessionful 2025-era connection the SDK's legacy shim turns them into real
 * `sampling/createMessage` / `elicitation/create` requests on the session.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  completable,
  fromJsonSchema,
  inputRequired,
  inputResponse,
  McpServer,
  ResourceTemplate,
  type CallToolResult,
  type ElicitRequestFormParams,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { RED_PIXEL_PNG_BASE64, SILENT_WAV_BASE64 } from './fixtures';

export const CONFORMANCE_SERVER_NAME = 'gatehouse-conformance-server';
export const CONFORMANCE_SERVER_VERSION = '1.0.0';

export const WATCHED_RESOURCE_URI = 'test://watched-resource';

/** What one protocol era's instances share with the serving layer. */
export interface ConformanceServerState {
  /** Bumped by `update_watched_resource`; part of the watched resource's text. */
  watchedVersion: number;
  /** Notify every subscriber (both eras) that `uri` changed. Set by the serving layer. */
  resourceUpdated(uri: string): void;
}

export interface ConformanceServerContext {
  era: 'legacy' | 'modern';
  state: ConformanceServerState;
  /**
   * 2025 era only: the URIs this session subscribed to via `resources/subscribe`
   * (the serving layer reads it to route `notifications/resources/updated`).
   */
  subscriptions?: Set<string>;
}

const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] });

/**
 * The scenario tools change nothing, and say so: a gateway whose default
 * policy holds non-read-only tools for human approval can proxy them as is.
 */
const READ_ONLY = { readOnlyHint: true, openWorldHint: false } as const;

function samplingText(content: unknown): string {
  const blocks = Array.isArray(content) ? content : [content];
  for (const block of blocks) {
    if (block && typeof block === 'object' && (block as { type?: unknown }).type === 'text') {
      return String((block as { text?: unknown }).text ?? '');
    }
  }
  return JSON.stringify(content);
}

/**
 * Runs one form elicitation through the multi-round-trip seam and renders the
 * outcome as the scenarios' expected text.
 */
function elicitThenReport(
  ctx: ServerContext,
  params: ElicitRequestFormParams,
  render: (action: string, content: Record<string, unknown> | undefined) => string,
): CallToolResult | ReturnType<typeof inputRequired> {
  const response = inputResponse(ctx.mcpReq.inputResponses, 'elicitation');
  if (response.kind !== 'elicit') {
    return inputRequired({ inputRequests: { elicitation: inputRequired.elicit(params) } });
  }
  return text(render(response.action, response.content));
}

export function createConformanceMcpServer(context: ConformanceServerContext): McpServer {
  const { state } = context;
  const server = new McpServer(
    { name: CONFORMANCE_SERVER_NAME, version: CONFORMANCE_SERVER_VERSION },
    {
      capabilities: {
        logging: {},
        tools: { listChanged: true },
        prompts: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
      },
      instructions: 'Gatehouse conformance upstream: implements the MCP conformance server scenarios.',
    },
  );

  // ---------------------------------------------------------------- tools ----

  server.registerTool(
    'test_simple_text',
    { annotations: READ_ONLY, description: 'Returns a simple text response.' },
    () => text('This is a simple text response for testing.'),
  );

  server.registerTool(
    'test_image_content',
    { annotations: READ_ONLY, description: 'Returns a 1x1 red PNG image.' },
    () => ({ content: [{ type: 'image', data: RED_PIXEL_PNG_BASE64, mimeType: 'image/png' }] }),
  );

  server.registerTool(
    'test_audio_content',
    { annotations: READ_ONLY, description: 'Returns a short silent WAV clip.' },
    () => ({ content: [{ type: 'audio', data: SILENT_WAV_BASE64, mimeType: 'audio/wav' }] }),
  );

  server.registerTool(
    'test_embedded_resource',
    { annotations: READ_ONLY, description: 'Returns an embedded text resource.' },
    () => ({
      content: [
        {
          type: 'resource',
          resource: {
            uri: 'test://embedded-resource',
            mimeType: 'text/plain',
            text: 'This is an embedded resource content.',
          },
        },
      ],
    }),
  );

  server.registerTool(
    'test_multiple_content_types',
    { annotations: READ_ONLY, description: 'Returns text, image and embedded resource content.' },
    () => ({
      content: [
        { type: 'text', text: 'Multiple content types test:' },
        { type: 'image', data: RED_PIXEL_PNG_BASE64, mimeType: 'image/png' },
        {
          type: 'resource',
          resource: {
            uri: 'test://mixed-content-resource',
            mimeType: 'application/json',
            text: JSON.stringify({ test: 'data', value: 123 }),
          },
        },
      ],
    }),
  );

  server.registerTool(
    'test_tool_with_logging',
    { annotations: READ_ONLY, description: 'Sends three info log notifications while it runs.' },
    async (ctx) => {
      await ctx.mcpReq.log('info', 'Tool execution started');
      await sleep(50);
      await ctx.mcpReq.log('info', 'Tool processing data');
      await sleep(50);
      await ctx.mcpReq.log('info', 'Tool execution completed');
      return text('Tool with logging executed successfully');
    },
  );

  server.registerTool(
    'test_error_handling',
    { annotations: READ_ONLY, description: 'Always fails with a tool error (isError: true).' },
    () => ({
      isError: true,
      content: [{ type: 'text', text: 'This tool intentionally returns an error for testing' }],
    }),
  );

  server.registerTool(
    'test_tool_with_progress',
    { annotations: READ_ONLY, description: 'Reports progress 0/100, 50/100, 100/100 when given a progress token.' },
    async (ctx) => {
      const progressToken = ctx.mcpReq._meta?.progressToken;
      for (const progress of [0, 50, 100]) {
        if (progressToken !== undefined) {
          await ctx.mcpReq.notify({
            method: 'notifications/progress',
            params: { progressToken, progress, total: 100, message: `Completed step ${progress / 50 + 1} of 3` },
          });
        }
        if (progress < 100) await sleep(50);
      }
      return text('Tool with progress executed successfully');
    },
  );

  server.registerTool(
    'test_sampling',
    {
      annotations: READ_ONLY,
      description: 'Asks the client to sample an LLM completion for the prompt.',
      inputSchema: z.object({ prompt: z.string().describe('The prompt to send to the LLM') }),
    },
    ({ prompt }, ctx) => {
      const response = inputResponse(ctx.mcpReq.inputResponses, 'sampling');
      if (response.kind !== 'sampling') {
        return inputRequired({
          inputRequests: {
            sampling: inputRequired.createMessage({
              messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
              maxTokens: 100,
            }),
          },
        });
      }
      return text(`LLM response: ${samplingText(response.result.content)}`);
    },
  );

  server.registerTool(
    'test_elicitation',
    {
      annotations: READ_ONLY,
      description: 'Asks the user (via the client) for a username and email.',
      inputSchema: z.object({ message: z.string().describe('The message to show the user') }),
    },
    ({ message }, ctx) =>
      elicitThenReport(
        ctx,
        {
          message,
          requestedSchema: {
            type: 'object',
            properties: {
              username: { type: 'string', description: "User's response" },
              email: { type: 'string', description: "User's email address" },
            },
            required: ['username', 'email'],
          },
        },
        (action, content) => `User response: action=${action}, content=${JSON.stringify(content ?? {})}`,
      ),
  );

  server.registerTool(
    'test_elicitation_sep1034_defaults',
    { annotations: READ_ONLY, description: 'Elicits a form whose fields carry default values (SEP-1034).' },
    (ctx) =>
      elicitThenReport(
        ctx,
        {
          message: 'Please review and update the form fields with defaults',
          requestedSchema: {
            type: 'object',
            properties: {
              name: { type: 'string', description: 'User name', default: 'John Doe' },
              age: { type: 'integer', description: 'User age', default: 30 },
              score: { type: 'number', description: 'User score', default: 95.5 },
              status: {
                type: 'string',
                description: 'User status',
                enum: ['active', 'inactive', 'pending'],
                default: 'active',
              },
              verified: { type: 'boolean', description: 'Verification status', default: true },
            },
            required: [],
          },
        },
        (action, content) => `Elicitation completed: action=${action}, content=${JSON.stringify(content ?? {})}`,
      ),
  );

  server.registerTool(
    'test_elicitation_sep1330_enums',
    { annotations: READ_ONLY, description: 'Elicits a form using every enum schema variant (SEP-1330).' },
    (ctx) =>
      elicitThenReport(
        ctx,
        {
          message: 'Please select options from the enum fields',
          requestedSchema: {
            type: 'object',
            properties: {
              untitledSingle: {
                type: 'string',
                description: 'Select one option',
                enum: ['option1', 'option2', 'option3'],
              },
              titledSingle: {
                type: 'string',
                description: 'Select one option with titles',
                oneOf: [
                  { const: 'value1', title: 'First Option' },
                  { const: 'value2', title: 'Second Option' },
                  { const: 'value3', title: 'Third Option' },
                ],
              },
              legacyEnum: {
                type: 'string',
                description: 'Select one option (legacy)',
                enum: ['opt1', 'opt2', 'opt3'],
                enumNames: ['Option One', 'Option Two', 'Option Three'],
              },
              untitledMulti: {
                type: 'array',
                description: 'Select multiple options',
                minItems: 1,
                maxItems: 3,
                items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
              },
              titledMulti: {
                type: 'array',
                description: 'Select multiple options with titles',
                minItems: 1,
                maxItems: 3,
                items: {
                  anyOf: [
                    { const: 'value1', title: 'First Choice' },
                    { const: 'value2', title: 'Second Choice' },
                    { const: 'value3', title: 'Third Choice' },
                  ],
                },
              },
            },
            required: [],
          },
        },
        (action, content) => `Elicitation completed: action=${action}, content=${JSON.stringify(content ?? {})}`,
      ),
  );

  server.registerTool(
    'json_schema_2020_12_tool',
    {
      annotations: READ_ONLY,
      description: 'Tool with JSON Schema 2020-12 features',
      inputSchema: fromJsonSchema<{ name?: string; address?: { street?: string; city?: string } }>({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        $defs: {
          address: {
            type: 'object',
            properties: { street: { type: 'string' }, city: { type: 'string' } },
          },
        },
        properties: {
          name: { type: 'string' },
          address: { $ref: '#/$defs/address' },
        },
        additionalProperties: false,
      }),
    },
    (args) => text(`JSON Schema 2020-12 tool called with: ${JSON.stringify(args)}`),
  );

  server.registerTool(
    'test_reconnection',
    {
      annotations: READ_ONLY,
      description:
        'Closes its SSE response stream mid-call (2025 era, resumable sessions) and answers after the client reconnects with Last-Event-ID (SEP-1699).',
    },
    async (ctx) => {
      ctx.http?.closeSSE?.();
      await sleep(100);
      return text('Reconnection test completed: the result was delivered after the SSE stream was closed.');
    },
  );

  server.registerTool(
    'update_watched_resource',
    {
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      description: `Changes ${WATCHED_RESOURCE_URI} and sends notifications/resources/updated to its subscribers.`,
    },
    () => {
      state.watchedVersion += 1;
      state.resourceUpdated(WATCHED_RESOURCE_URI);
      return text(`${WATCHED_RESOURCE_URI} is now at version ${state.watchedVersion}`);
    },
  );

  // ------------------------------------------------------------ resources ----

  server.registerResource(
    'static-text',
    'test://static-text',
    { description: 'A static text resource.', mimeType: 'text/plain' },
    (uri) => ({
      contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'This is the content of the static text resource.' }],
    }),
  );

  server.registerResource(
    'static-binary',
    'test://static-binary',
    { description: 'A static binary resource (1x1 PNG).', mimeType: 'image/png' },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'image/png', blob: RED_PIXEL_PNG_BASE64 }] }),
  );

  server.registerResource(
    'watched-resource',
    WATCHED_RESOURCE_URI,
    { description: 'A resource clients may subscribe to; update_watched_resource changes it.', mimeType: 'text/plain' },
    (uri) => ({
      contents: [{ uri: uri.href, mimeType: 'text/plain', text: `Watched resource, version ${state.watchedVersion}.` }],
    }),
  );

  server.registerResource(
    'template-data',
    new ResourceTemplate('test://template/{id}/data', {
      list: undefined,
      complete: { id: (value) => ['123', '456', '789'].filter((id) => id.startsWith(value)) },
    }),
    { description: 'A templated JSON resource; {id} is substituted.', mimeType: 'application/json' },
    (uri, variables) => {
      const id = String(variables.id);
      return {
        contents: [
          {
            uri: uri.href,
            mimeType: 'application/json',
            text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
          },
        ],
      };
    },
  );

  const subscriptions = context.subscriptions;
  if (context.era === 'legacy' && subscriptions) {
    // 2025 era: subscriptions are session state. (The 2026 era uses
    // `subscriptions/listen`, which the serving entry answers.)
    server.server.setRequestHandler('resources/subscribe', (request) => {
      subscriptions.add(request.params.uri);
      return {};
    });
    server.server.setRequestHandler('resources/unsubscribe', (request) => {
      subscriptions.delete(request.params.uri);
      return {};
    });
  }

  // -------------------------------------------------------------- prompts ----

  server.registerPrompt(
    'test_simple_prompt',
    { description: 'A simple prompt without arguments.' },
    () => ({
      messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }],
    }),
  );

  server.registerPrompt(
    'test_prompt_with_arguments',
    {
      description: 'A prompt with two required arguments (arg1 completes).',
      argsSchema: z.object({
        arg1: completable(z.string().describe('First test argument'), (value) =>
          ['paris', 'park', 'party', 'test', 'testing'].filter((candidate) => candidate.startsWith(value)),
        ),
        arg2: completable(z.string().describe('Second test argument'), (value) =>
          ['hello', 'world'].filter((candidate) => candidate.startsWith(value)),
        ),
      }),
    },
    ({ arg1, arg2 }) => ({
      messages: [
        { role: 'user', content: { type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` } },
      ],
    }),
  );

  server.registerPrompt(
    'test_prompt_with_embedded_resource',
    {
      description: 'A prompt that embeds the resource named by resourceUri.',
      argsSchema: z.object({ resourceUri: z.string().describe('URI of the resource to embed') }),
    },
    ({ resourceUri }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'resource',
            resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' },
          },
        },
        { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
      ],
    }),
  );

  server.registerPrompt(
    'test_prompt_with_image',
    { description: 'A prompt that carries an image.' },
    () => ({
      messages: [
        { role: 'user', content: { type: 'image', data: RED_PIXEL_PNG_BASE64, mimeType: 'image/png' } },
        { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
      ],
    }),
  );

  return server;
}
