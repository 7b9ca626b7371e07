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

/** Why a call is held, in words for the approver (and the waiting client). */
export function approvalReason(policy: ApprovalPolicy, annotations: Record<string, unknown> | undefined): string {
  if (policy === 'always') return 'The profile requires approval for every call to this tool (approval: always).';
  if (annotations?.destructiveHint === true) return 'The tool declares that it may destroy data (destructiveHint: true).';
  return 'The tool does not declare itself read-only or non-destructive, so it is treated as destructive (MCP annotation defaults).';
}
