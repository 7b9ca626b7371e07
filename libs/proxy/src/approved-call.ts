import type { Approval, ExecutionOutcome } from '@gatehouse/approvals';
import type { UpstreamPool } from '@gatehouse/upstream';
import type { EndpointRegistry } from './endpoint-registry';
import { toProtocolError } from './json-rpc-errors';
import type { Scanner } from '@gatehouse/scanner';
import { inspect, scanBlockedError } from './call-scanning';

/**
 * Runs an approved call against its upstream: exactly the approved arguments, on the profile
 * entry the approval names (found by id, so a rename since does not matter). A tool withheld
 * since (drift, upstream gone) is not run: the approver approved a definition that no longer
 * holds.
 */
export async function runApprovedCall(
  deps: { registry: EndpointRegistry; pool: UpstreamPool; scanner?: Scanner },
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
    const result = (await deps.pool.get(tool.entry.server, approval.requestedBy).callTool(approval.upstreamTool, approval.arguments)) as Record<
      string,
      unknown
    >;
    // The result is scanned like a direct call's: the approver approved the call, not what it returns.
    const scanning = endpoint.snapshot.scanning;
    const verdict = inspect(deps.scanner, scanning, result, 'result');
    if (!verdict.scan) return { result };
    const traceResult = deps.scanner?.mask(result, scanning.options) ?? result;
    if (verdict.blocked) {
      const error = scanBlockedError('result', approval.exposedTool, verdict.scan);
      return { error: error.message, errorCode: error.code, blocked: true, scan: verdict.scan };
    }
    return { result, scan: verdict.scan, traceResult };
  } catch (error) {
    const protocolError = toProtocolError(error);
    return {
      error: protocolError.message,
      errorCode: String((protocolError.data as { code?: string } | undefined)?.code ?? protocolError.code),
    };
  }
}
