import { InitialSchema1795563938174 } from "./1795563938174-InitialSchema";
import { OAuthAuthorizationServer1795575963229 } from "./1795575963229-OAuthAuthorizationServer";
import { TenantSsoSettings1795578503534 } from "./1795578503534-TenantSsoSettings";
import { ApprovalHolds1795588710387 } from "./1795588710387-ApprovalHolds";
import { ServiceSecrets1795627782014 } from "./1795627782014-ServiceSecrets";
import { Vault1795629217866 } from "./1795629217866-Vault";
import { TracePayloadPolicy1795629881416 } from "./1795629881416-TracePayloadPolicy";
import { UpstreamOAuth1795630387849 } from "./1795630387849-UpstreamOAuth";
import { TelemetryExport1795631018505 } from "./1795631018505-TelemetryExport";
import { CallLimits1795632798251 } from "./1795632798251-CallLimits";
import { Scanning1795635422981 } from "./1795635422981-Scanning";
import { ApprovalScan1795641103755 } from "./1795641103755-ApprovalScan";
import { ApprovedToolDefinition1795645265168 } from "./1795645265168-ApprovedToolDefinition";
import { TraceUserIndex1795645381660 } from "./1795645381660-TraceUserIndex";
import { TokenLastUsed1795646199591 } from "./1795646199591-TokenLastUsed";

// Migrations in order. Generate a new one with the TypeORM CLI (see the lib README), read it,
// then list it here.
export const MIGRATIONS = [InitialSchema1795563938174, OAuthAuthorizationServer1795575963229, TenantSsoSettings1795578503534, ApprovalHolds1795588710387, ServiceSecrets1795627782014, Vault1795629217866, TracePayloadPolicy1795629881416, UpstreamOAuth1795630387849, TelemetryExport1795631018505, CallLimits1795632798251, Scanning1795635422981, ApprovalScan1795641103755, ApprovedToolDefinition1795645265168, TraceUserIndex1795645381660, TokenLastUsed1795646199591];
