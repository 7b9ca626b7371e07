import type { ApprovalPolicy } from './profile-tool.entity';

/**
 * Whether a call needs human approval. `auto` follows the MCP spec's annotation defaults
 * (`readOnlyHint` defaults to false, `destructiveHint` to true): only a tool that declares itself
 * read-only or non-destructive runs without a hold. Secure by default.
 */
export function requiresApproval(policy: ApprovalPolicy, annotations: Record<string, unknown> | undefined): boolean {
  if (policy === 'always') return true;
  if (policy === 'never') return false;
  if (annotations?.readOnlyHint === true) return false;
  if (annotations?.destructiveHint === false) return false;
  return true;
}
