/**
 * Validates Kubernetes objects without a cluster, in two passes:
 *
 * 1. Schema: kubernetes-models' validators, generated from the Kubernetes OpenAPI schema (types,
 *    required fields, enums, formats such as int-or-string and quantities).
 * 2. Unknown fields: the OpenAPI schema allows any extra field, but the API server refuses them
 *    (strict field validation, kubectl's default since 1.27); a misplaced field such as
 *    readOnlyRootFilesystem in the pod's securityContext would otherwise pass. TypeScript's
 *    excess-property check on object literals, against kubernetes-models' declared interfaces,
 *    finds them at any depth.
 *
 * Only the kinds below are known: a chart that adds a kind must add it here.
 */
import { join } from 'node:path';
import ts from 'typescript';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';

type KubeObject = Record<string, unknown> & { apiVersion?: string; kind?: string };
interface Kind {
  model: new (data: never) => { validate(): void };
  module: string;
  iface: string;
}

const KINDS: Record<string, Kind> = {
  'v1/Secret': { model: Secret, module: 'kubernetes-models/v1/Secret', iface: 'ISecret' },
  'v1/Service': { model: Service, module: 'kubernetes-models/v1/Service', iface: 'IService' },
  'v1/ServiceAccount': { model: ServiceAccount, module: 'kubernetes-models/v1/ServiceAccount', iface: 'IServiceAccount' },
  'apps/v1/Deployment': { model: Deployment, module: 'kubernetes-models/apps/v1/Deployment', iface: 'IDeployment' },
  'batch/v1/Job': { model: Job, module: 'kubernetes-models/batch/v1/Job', iface: 'IJob' },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    model: HorizontalPodAutoscaler,
    module: 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
    iface: 'IHorizontalPodAutoscaler',
  },
  'policy/v1/PodDisruptionBudget': {
    model: PodDisruptionBudget,
    module: 'kubernetes-models/policy/v1/PodDisruptionBudget',
    iface: 'IPodDisruptionBudget',
  },
  'networking.k8s.io/v1/Ingress': { model: Ingress, module: 'kubernetes-models/networking.k8s.io/v1/Ingress', iface: 'IIngress' },
};

const keyOf = (o: KubeObject) => `${o.apiVersion}/${o.kind}`;
const labelOf = (o: KubeObject) => `${o.kind}/${(o.metadata as { name?: string } | undefined)?.name ?? '?'}`;

/** Problems the OpenAPI schema finds in one object ([] when valid). */
export function schemaErrors(object: KubeObject): string[] {
  const kind = KINDS[keyOf(object)];
  if (!kind) return [`${labelOf(object)}: no schema known for ${keyOf(object)} (add it to e2e/deploy/support/kube-validate.ts)`];
  try {
    new kind.model(object as never).validate();
    return [];
  } catch (error) {
    const details = (error as { errors?: Array<{ instancePath?: string; message?: string }> }).errors;
    return details?.length
      ? details.map((d) => `${labelOf(object)}: ${d.instancePath || '/'} ${d.message}`)
      : [`${labelOf(object)}: ${(error as Error).message}`];
  }
}

/** Fields the API server would refuse as unknown, in all the objects at once (one TypeScript program). */
export function unknownFieldErrors(objects: KubeObject[]): string[] {
  const repoRoot = join(__dirname, '../../..');
  const file = join(repoRoot, 'e2e/deploy/support/__objects__.ts'); // virtual: never written
  const imports = new Set<string>();
  const decls: string[] = [];
  const spans: Array<{ label: string; from: number; to: number }> = [];
  let line = 0;
  const problems: string[] = [];
  objects.forEach((object, i) => {
    const kind = KINDS[keyOf(object)];
    if (!kind) {
      problems.push(`${labelOf(object)}: no interface known for ${keyOf(object)}`);
      return;
    }
    imports.add(`import type { ${kind.iface} } from '${kind.module}';`);
    const text = `export const o${i}: ${kind.iface} = ${JSON.stringify(object, null, 2)};`;
    spans.push({ label: labelOf(object), from: line, to: line + text.split('\n').length - 1 });
    decls.push(text);
    line += text.split('\n').length;
  });
  const header = [...imports];
  const source = [...header, ...decls].join('\n');
  const offset = header.length;
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, ...rest) =>
    name === file ? ts.createSourceFile(name, source, language, true) : getSourceFile.call(host, name, language, ...rest);
  host.fileExists = (name) => name === file || fileExists.call(host, name);
  host.readFile = (name) => (name === file ? source : readFile.call(host, name));
  const program = ts.createProgram([file], options, host);
  const sourceFile = program.getSourceFile(file);
  if (!sourceFile) throw new Error('the generated objects file was not loaded');
  for (const d of [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)]) {
    const at = d.start === undefined ? -1 : sourceFile.getLineAndCharacterOfPosition(d.start).line - offset;
    const span = spans.find((s) => at >= s.from && at <= s.to);
    const snippet = d.start === undefined ? '' : ` near ${JSON.stringify(source.slice(d.start, d.start + 40).split('\n')[0])}`;
    problems.push(`${span?.label ?? 'objects'}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}${snippet}`);
  }
  return problems;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const PORT_NAME = /^(?=.{1,15}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

interface Container {
  name: string;
  image?: string;
  ports?: Array<{ name?: string; containerPort: number }>;
  volumeMounts?: Array<{ name: string }>;
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  livenessProbe?: { httpGet?: { port: number | string } };
  readinessProbe?: { httpGet?: { port: number | string } };
  startupProbe?: { httpGet?: { port: number | string } };
}
interface PodSpec {
  containers: Container[];
  volumes?: Array<{ name: string }>;
}

/** The pod spec of a workload (Deployment, Job), if it is one. */
export function podSpecOf(object: KubeObject): PodSpec | undefined {
  return (object.spec as { template?: { spec?: PodSpec } } | undefined)?.template?.spec;
}

/**
 * A few of the API server's own validations that the OpenAPI schema does not express: object,
 * label, container and port names; port ranges; a Deployment's selector matching its pods;
 * volume mounts and named probe ports that refer to something that exists.
 */
export function serverRuleErrors(object: KubeObject): string[] {
  const problems: string[] = [];
  const label = labelOf(object);
  const meta = (object.metadata ?? {}) as { name?: string; labels?: Record<string, string> };
  const name = meta.name ?? '';
  const nameRule = object.kind === 'Service' ? /^[a-z]([-a-z0-9]*[a-z0-9])?$/ : DNS_SUBDOMAIN;
  if (!nameRule.test(name) || name.length > (object.kind === 'Service' ? 63 : 253)) problems.push(`${label}: invalid name`);
  const labelSets = [
    meta.labels ?? {},
    (object.spec as { template?: { metadata?: { labels?: Record<string, string> } } })?.template?.metadata?.labels ?? {},
  ];
  for (const labels of labelSets)
    for (const [k, v] of Object.entries(labels)) {
      if (!LABEL_NAME.test(k)) problems.push(`${label}: invalid label name ${k}`);
      if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v))
        problems.push(`${label}: invalid value of label ${k}: ${JSON.stringify(v)}`);
    }
  if (object.kind === 'Deployment') {
    const spec = object.spec as {
      selector: { matchLabels?: Record<string, string> };
      template: { metadata?: { labels?: Record<string, string> } };
    };
    for (const [k, v] of Object.entries(spec.selector.matchLabels ?? {}))
      if (spec.template.metadata?.labels?.[k] !== v) problems.push(`${label}: selector ${k}=${v} does not match the pod template's labels`);
  }
  const pod = podSpecOf(object);
  for (const c of pod?.containers ?? []) {
    if (!DNS_LABEL.test(c.name)) problems.push(`${label}: invalid container name ${c.name}`);
    for (const p of c.ports ?? []) {
      if (!(p.containerPort >= 1 && p.containerPort <= 65535)) problems.push(`${label}: container port ${p.containerPort} out of range`);
      if (p.name !== undefined && !PORT_NAME.test(p.name)) problems.push(`${label}: invalid port name ${p.name}`);
    }
    const volumes = new Set((pod?.volumes ?? []).map((v) => v.name));
    for (const m of c.volumeMounts ?? []) if (!volumes.has(m.name)) problems.push(`${label}: volume mount ${m.name} has no volume`);
    const portNames = new Set((c.ports ?? []).map((p) => p.name));
    for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
      const port = probe?.httpGet?.port;
      if (typeof port === 'string' && !portNames.has(port)) problems.push(`${label}: probe port ${port} is not a port of ${c.name}`);
    }
    const envNames = (c.env ?? []).map((e) => e.name);
    for (const dup of envNames.filter((n, i) => envNames.indexOf(n) !== i))
      problems.push(`${label}: environment variable ${dup} set twice in ${c.name}`);
  }
  if (object.kind === 'Service')
    for (const p of (object.spec as { ports: Array<{ port: number; name?: string }> }).ports) {
      if (!(p.port >= 1 && p.port <= 65535)) problems.push(`${label}: service port ${p.port} out of range`);
      if (p.name !== undefined && !PORT_NAME.test(p.name)) problems.push(`${label}: invalid port name ${p.name}`);
    }
  if (object.kind === 'Secret')
    for (const [k, v] of Object.entries((object.data ?? {}) as Record<string, string>)) {
      if (!/^[-._a-zA-Z0-9]+$/.test(k)) problems.push(`${label}: invalid data key ${k}`);
      if (Buffer.from(v, 'base64').toString('base64') !== v) problems.push(`${label}: data.${k} is not base64`);
    }
  return problems;
}
