import type { Approval, ExecutionOutcome } from '@gatehouse/approvals';
import type { UpstreamPool } from '@gatehouse/upstream';
import type { EndpointRegistry } from './endpoint-registry';
import { toProtocolError } from './json-rpc-errors';

/**
 * Runs an approved call against its upstream: exactly the approved arguments, on the profile
 * entry the approval names (found by id, so a rename since does not matter). A tool withheld
 * since (drift, upstream gone) is not run: the approver approved a definition that no longer
 * holds.
 */
export async function runApprovedCall(
  deps: { registry: EndpointRegistry; pool: UpstreamPool },
  approval: Approval,
): Promise<ExecutionOutcome> {
  try {
    const endpoint = await deps.registry.resolve(approval.tenantSlug, approval.profile);
    const toolset = await endpoint.toolset();
    const tool = toolset.tools.find((t) => t.entry.profileToolId === approval.profileToolId);
    if (!tool) {
      const withheld = toolset.withheld.get(approval.exposedTool);
      return {
        error: `Tool "${approval.exposedTool}" is no longer available on profile "${approval.profile}"${withheld ? `: ${withheld.detail}` : ''}; the approved call did not run.`,
        errorCode: 'tool_not_found',
      };
    }
    const result = await deps.pool.get(tool.entry.server, approval.requestedBy).callTool(approval.upstreamTool, approval.arguments);
    return { result: result as Record<string, unknown> };
  } catch (error) {
    const protocolError = toProtocolError(error);
    return {
      error: protocolError.message,
      errorCode: String((protocolError.data as { code?: string } | undefined)?.code ?? protocolError.code),
    };
  }
}
