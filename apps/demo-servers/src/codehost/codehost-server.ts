/**
 * The `codehost` demo server: a read-only listing, a destructive delete (the
 * tool approval demos hold), and a slow clone that reports progress and stops
 * when cancelled, for the gateway's protocol-fidelity tests.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { RepositoryStore } from './repository-store';
import { reportProgress } from '../request-progress';
import { ToolExecutionCounter } from '../tool-execution-counter';
import { structuredResult, toolError } from '../tool-results';

export const CODEHOST_TOOLS = ['list_repositories', 'delete_repository', 'clone_repository'] as const;

export interface CodehostServerDeps {
  repositories: RepositoryStore;
  counter: ToolExecutionCounter;
}

/** Long enough for a test to observe and cancel mid-clone, short enough to keep suites fast. */
const CLONE_STEP_MS = 50;

const ListInput = z.object({
  owner: z.string().optional().describe('Only list repositories of this owner (organisation).'),
});

const DeleteInput = z.object({
  name: z.string().describe('Name of the repository to delete, e.g. payments-api.'),
});

const CloneInput = z.object({
  name: z.string().describe('Name of the repository to clone.'),
  steps: z.number().int().min(1).max(100).default(5).describe('Number of clone phases to simulate.'),
});

export function createCodehostServer(
  deps: CodehostServerDeps = { repositories: new RepositoryStore(), counter: new ToolExecutionCounter(CODEHOST_TOOLS) },
): McpServer {
  const { repositories, counter } = deps;
  const server = new McpServer({ name: 'gatehouse-demo-codehost', version: '1.0.0' });

  server.registerTool(
    'list_repositories',
    {
      title: 'List repositories',
      description: 'List the repositories on the code host, optionally for one owner.',
      inputSchema: ListInput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ owner }) => {
      counter.record('list_repositories');
      return structuredResult({ repositories: repositories.list(owner) });
    },
  );

  server.registerTool(
    'delete_repository',
    {
      title: 'Delete a repository',
      description: 'Permanently delete a repository and its history.',
      inputSchema: DeleteInput,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    ({ name }) => {
      counter.record('delete_repository');
      const deleted = repositories.delete(name);
      return deleted === undefined ? toolError(`No repository named "${name}".`) : structuredResult({ deleted });
    },
  );

  server.registerTool(
    'clone_repository',
    {
      title: 'Clone a repository',
      description: 'Clone a repository into the workspace, reporting progress for each phase.',
      inputSchema: CloneInput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async ({ name, steps }, ctx) => {
      counter.record('clone_repository');
      if (repositories.find(name) === undefined) return toolError(`No repository named "${name}".`);
      for (let step = 1; step <= steps; step++) {
        // Rejects with an AbortError once the client cancels; the SDK then drops
        // the response, so throwing is the whole of "stop work".
        await delay(CLONE_STEP_MS, undefined, { signal: ctx.mcpReq.signal });
        await reportProgress(ctx, step, steps, `Cloning ${name}: phase ${step} of ${steps}`);
      }
      // A closing "checkout" phase between the last progress and the result.
      // The v2 Client dispatches notifications a microtask after responses, so
      // when the final progress and the result arrive in one stdio read, it has
      // already dropped the progress handler and loses that notification.
      await delay(CLONE_STEP_MS, undefined, { signal: ctx.mcpReq.signal });
      repositories.markCloned(name);
      return structuredResult({ cloned: name, steps });
    },
  );

  return server;
}
