/**
 * The `crm` demo server: a read-only `sql_query` tool (the classic
 * "support looks up a customer" tool a profile pins to one table) and a
 * non-destructive write, `update_customer_plan`, for approval-policy demos.
 */
import { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { CrmDataset, PLANS } from './crm-dataset';
import { runCrmQuery } from './crm-query';
import { ToolExecutionCounter } from '../tool-execution-counter';
import { structuredResult, toolError } from '../tool-results';

export const CRM_TOOLS = ['sql_query', 'update_customer_plan'] as const;

export interface CrmServerDeps {
  dataset: CrmDataset;
  counter: ToolExecutionCounter;
}

const SqlQueryInput = z.object({
  table: z.string().describe('Table to read: users or orders.'),
  where: z
    .string()
    .optional()
    .describe("Optional filter: column = 'value' or column LIKE '%text%' conditions joined by AND."),
  limit: z.number().int().min(1).max(100).optional().describe('Maximum rows to return (default 50).'),
});

const SqlQueryOutput = z.object({
  table: z.string(),
  rowCount: z.number(),
  rows: z.array(z.record(z.string(), z.union([z.string(), z.number()]))),
});

const UpdatePlanInput = z.object({
  email: z.string().email().describe('Email of the customer to update.'),
  plan: z.enum(PLANS).describe('New plan.'),
});

export function createCrmServer(
  deps: CrmServerDeps = { dataset: new CrmDataset(), counter: new ToolExecutionCounter(CRM_TOOLS) },
): McpServer {
  const { dataset, counter } = deps;
  const server = new McpServer({ name: 'gatehouse-demo-crm', version: '1.0.0' });

  server.registerTool(
    'sql_query',
    {
      title: 'Query CRM tables',
      description: 'Read rows from the CRM database (tables: users, orders) with an optional simple WHERE filter.',
      inputSchema: SqlQueryInput,
      outputSchema: SqlQueryOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ table, where, limit }) => {
      counter.record('sql_query');
      const outcome = runCrmQuery(dataset, { table, where, limit: limit ?? 50 });
      return outcome.ok ? structuredResult(outcome.result) : toolError(outcome.message);
    },
  );

  server.registerTool(
    'update_customer_plan',
    {
      title: 'Change a customer plan',
      description: 'Change the subscription plan of the customer with the given email.',
      inputSchema: UpdatePlanInput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ email, plan }) => {
      counter.record('update_customer_plan');
      const user = dataset.updateUserPlan(email, plan);
      return user === undefined ? toolError(`No customer with email "${email}".`) : structuredResult({ user });
    },
  );

  return server;
}
