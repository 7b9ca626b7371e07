/**
 * deploy/helm/gatehouse without Helm or a cluster: chart conventions, values.yaml against
 * values.schema.json, the templates rendered by support/helm-template.ts for every ci/*-values.yaml,
 * every object validated against the Kubernetes schema (and for unknown fields), and the shape
 * that matters checked object by object.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse as parseYaml, parseDocument, isMap, type YAMLMap } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeValues, renderChart, type RenderedChart } from './support/helm-template';
import { appSettings, consoleSettings } from './support/app-settings';
import { podSpecOf, schemaErrors, serverRuleErrors, unknownFieldErrors } from './support/kube-validate';

const ROOT = join(__dirname, '../..');
const CHART = join(ROOT, 'deploy/helm/gatehouse');
const CI_VALUES = readdirSync(join(CHART, 'ci')).filter((f) => f.endsWith('-values.yaml'));

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- rendered manifests are untyped YAML

const readYaml = (file: string) => parseYaml(readFileSync(file, 'utf8')) as Obj;
const ciValues = (file: string) => readYaml(join(CHART, 'ci', file));

function valuesValidator(): ValidateFunction {
  const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8'));
  return new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
}

const find = (r: RenderedChart, kind: string, component?: string): Obj[] =>
  r.objects
    .map((o) => o.object as Obj)
    .filter((o) => o.kind === kind && (!component || o.metadata.labels?.['app.kubernetes.io/component'] === component));
const one = (r: RenderedChart, kind: string, component?: string): Obj => {
  const found = find(r, kind, component);
  expect(found, `${kind} ${component ?? ''}`).toHaveLength(1);
  return found[0];
};
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);
const hookEvents = (o: Obj): string[] =>
  String(o.metadata.annotations?.['helm.sh/hook'] ?? '')
    .split(',')
    .filter(Boolean);

describe('Helm chart deploy/helm/gatehouse: conventions', () => {
  it('has a v2 Chart.yaml whose appVersion is the product version, and the standard files', () => {
    const chart = readYaml(join(CHART, 'Chart.yaml'));
    expect(chart.apiVersion).toBe('v2');
    expect(chart.name).toBe('gatehouse');
    expect(chart.type).toBe('application');
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
    expect(chart.appVersion).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    expect(chart.kubeVersion).toBeTruthy();
    for (const file of ['values.yaml', 'values.schema.json', 'README.md', '.helmignore', 'templates/_helpers.tpl', 'templates/NOTES.txt'])
      expect(existsSync(join(CHART, file)), file).toBe(true);
    expect(JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')).$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  it('documents every key of values.yaml with a comment (on it or on the block it belongs to)', () => {
    const undocumented: string[] = [];
    const walk = (map: YAMLMap, path: string, inherited: boolean) => {
      map.items.forEach((pair, i) => {
        const key = pair.key as { value: string; commentBefore?: string | null };
        const documented = inherited || Boolean(key.commentBefore) || (i === 0 && Boolean(map.commentBefore));
        if (isMap(pair.value)) walk(pair.value, `${path}${key.value}.`, documented);
        else if (!documented) undocumented.push(`${path}${key.value}`);
      });
    };
    const doc = parseDocument(readFileSync(join(CHART, 'values.yaml'), 'utf8'));
    walk(doc.contents as YAMLMap, '', false);
    expect(undocumented).toEqual([]);
  });

  it('bundles no database: every workload runs a Gatehouse image (the console included by default)', () => {
    const r = renderChart(CHART, { values: ciValues('chart-secrets-values.yaml') });
    const images: string[] = [];
    for (const o of r.objects.map((x) => x.object as Obj)) {
      expect(['StatefulSet', 'DaemonSet', 'PersistentVolumeClaim']).not.toContain(o.kind);
      for (const c of podSpecOf(o)?.containers ?? []) images.push(c.image);
    }
    for (const image of images) expect(image).toMatch(/\/?gatehouse-(api|gateway|migrate|console):/);
    expect(images.filter((i) => i.includes('gatehouse-console:'))).toHaveLength(1);
  });
});

describe('Helm chart: values.schema.json', () => {
  let validate: ValidateFunction;
  beforeAll(() => {
    validate = valuesValidator();
  });

  it('accepts values.yaml and every ci/*-values.yaml merged over it', () => {
    const defaults = readYaml(join(CHART, 'values.yaml'));
    expect(validate(defaults), JSON.stringify(validate.errors)).toBe(true);
    for (const file of CI_VALUES) {
      const r = renderChart(CHART, { values: ciValues(file) });
      expect(validate(r.values), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it.each([
    ['a replica count given as a string', { gateway: { replicas: '3' } }, '/gateway/replicas'],
    ['a misspelt key', { gateway: { replica: 3 } }, '/gateway'],
    ['a master key that is not 32 bytes', { masterKey: { value: 'c2hvcnQ=' } }, '/masterKey/value'],
    ['an unknown log level', { logLevel: 'verbose' }, '/logLevel'],
    ['a database URL that is not postgres://', { database: { url: 'mysql://db/gatehouse' } }, '/database/url'],
    ['a gateway setting that is not a string', { gateway: { env: { GATEWAY_PAGE_SIZE: 50 } } }, '/gateway/env/GATEWAY_PAGE_SIZE'],
    [
      'a console setting that would replace the API_URL the chart wires',
      { console: { env: { API_URL: 'http://elsewhere' } } },
      '/console/env',
    ],
    ['a console switched on with a string', { console: { enabled: 'yes' } }, '/console/enabled'],
    [
      'an autoscaler aiming above 100% CPU',
      { gateway: { autoscaling: { targetCPUUtilizationPercentage: 150 } } },
      '/gateway/autoscaling/targetCPUUtilizationPercentage',
    ],
  ])('rejects %s', (_what, bad, path) => {
    const values = mergeValues(mergeValues(readYaml(join(CHART, 'values.yaml')), ciValues('chart-secrets-values.yaml')), bad);
    expect(validate(values)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toContain(path);
  });
});

describe('Helm chart: rendering refuses incomplete values', () => {
  it('names the missing database URL, Redis URL and master key', () => {
    expect(() => renderChart(CHART)).toThrow(/database\.url .*database\.existingSecret/);
    expect(() => renderChart(CHART, { values: { database: { url: 'postgres://db/g' } } })).toThrow(/redis\.url/);
    expect(() => renderChart(CHART, { values: { database: { url: 'postgres://db/g' }, redis: { url: 'redis://r' } } })).toThrow(
      /masterKey\.value/,
    );
  });

  it('refuses a console ingress host without the console', () => {
    const values = {
      ...ciValues('chart-secrets-values.yaml'),
      console: { enabled: false },
      ingress: { enabled: true, console: { host: 'gatehouse.example.com' } },
    };
    expect(() => renderChart(CHART, { values })).toThrow(/ingress\.console\.host is set but console\.enabled is false/);
  });

  it('refuses an autoscaler whose minimum exceeds its maximum', () => {
    const values = { ...ciValues('chart-secrets-values.yaml'), gateway: { autoscaling: { minReplicas: 5, maxReplicas: 3 } } };
    expect(() => renderChart(CHART, { values })).toThrow(/minReplicas must not exceed/);
  });
});

describe.each(CI_VALUES)('Helm chart rendered with ci/%s', (file) => {
  let r: RenderedChart;
  let values: Obj;
  beforeAll(() => {
    r = renderChart(CHART, { releaseName: 'acme', namespace: 'gatehouse', values: ciValues(file) });
    values = r.values;
  });

  it('produces only objects valid against the Kubernetes schema, with no unknown fields', () => {
    const objects = r.objects.map((o) => o.object);
    expect(objects.length).toBeGreaterThan(5);
    expect(objects.flatMap(schemaErrors)).toEqual([]);
    expect(objects.flatMap(serverRuleErrors)).toEqual([]);
    expect(unknownFieldErrors(objects)).toEqual([]);
  });

  it('labels every object with the standard app.kubernetes.io labels', () => {
    for (const o of r.objects.map((x) => x.object as Obj)) {
      const labels = o.metadata.labels ?? {};
      for (const key of [
        'app.kubernetes.io/name',
        'app.kubernetes.io/instance',
        'app.kubernetes.io/version',
        'app.kubernetes.io/managed-by',
        'helm.sh/chart',
      ])
        expect(labels[key], `${o.kind}/${o.metadata.name} ${key}`).toBeTruthy();
      expect(labels['app.kubernetes.io/instance']).toBe('acme');
      expect(labels['app.kubernetes.io/managed-by']).toBe('Helm');
    }
  });

  it('probes /healthz for liveness and /readyz for readiness, and runs non-root on a read-only root filesystem', () => {
    for (const component of ['api', 'gateway']) {
      const deployment = one(r, 'Deployment', component);
      const pod = deployment.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(pod.automountServiceAccountToken).toBe(false);
      const [container] = pod.containers;
      expect(container.args).toEqual(['start', component]);
      expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(container.startupProbe.httpGet.path).toBe('/healthz');
      expect(container.ports).toEqual([{ name: 'http', containerPort: values[component].port, protocol: 'TCP' }]);
      expect(container.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      const mounts = container.volumeMounts.map((m: Obj) => m.mountPath);
      expect(mounts).toContain('/tmp');
      const env = Object.fromEntries(container.env.map((e: Obj) => [e.name, e]));
      expect(env[component === 'api' ? 'API_HOST' : 'GATEWAY_HOST'].value).toBe('0.0.0.0');
      expect(env[component === 'api' ? 'API_PORT' : 'GATEWAY_PORT'].value).toBe(String(values[component].port));
    }
    const gateway = one(r, 'Deployment', 'gateway').spec.template.spec;
    const spoolMount = gateway.containers[0].volumeMounts.find((m: Obj) => m.name === 'trace-spool');
    expect(spoolMount.mountPath).toBe(gateway.containers[0].env.find((e: Obj) => e.name === 'TRACE_SPOOL_DIR').value);
  });

  it('runs the console (when enabled) as the others: /healthz probes, non-root, read-only, its /api/* forwarder aimed at the API Service', () => {
    const consoles = find(r, 'Deployment', 'console');
    if (!values.console.enabled) {
      expect(r.objects.filter((o) => (o.object as Obj).metadata.labels?.['app.kubernetes.io/component'] === 'console')).toEqual([]);
      return;
    }
    expect(consoles).toHaveLength(1);
    const deployment = consoles[0];
    expect(deployment.spec.replicas).toBe(values.console.replicas);
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(pod.automountServiceAccountToken).toBe(false);
    const [container] = pod.containers;
    expect(container.image).toMatch(/gatehouse-console:/);
    expect(container.args).toBeUndefined(); // the image's entrypoint is the server
    // No /readyz: the console serves its pages, and a 502 naming the API for /api/*, while the API is away.
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'])
      expect(container[probe].httpGet, probe).toEqual({ path: '/healthz', port: 'http' });
    expect(container.ports).toEqual([{ name: 'http', containerPort: values.console.port, protocol: 'TCP' }]);
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.volumeMounts.map((m: Obj) => m.mountPath)).toEqual(['/tmp']);
    const env = Object.fromEntries(container.env.map((e: Obj) => [e.name, e]));
    expect(env.PORT.value).toBe(String(values.console.port));
    expect(env.HOSTNAME.value).toBe('0.0.0.0'); // Kubernetes sets HOSTNAME to the pod name, where Next would listen
    const api = one(r, 'Service', 'api');
    expect(env.API_URL.value).toBe(`http://${api.metadata.name}:${api.spec.ports[0].port}`);
    // Nothing secret: no Secret reference, no secret volume, no connection.
    expect(JSON.stringify(pod)).not.toMatch(/secretKeyRef|"secret":|DATABASE_URL|REDIS_URL|MASTER_KEY/);
  });

  it('sets only environment variables the apps read', () => {
    const known = appSettings();
    const consoleKnown = consoleSettings();
    for (const o of r.objects.map((x) => x.object as Obj))
      for (const c of podSpecOf(o)?.containers ?? [])
        for (const e of c.env ?? []) expect(c.name === 'console' ? consoleKnown : known, `${o.metadata.name}: ${e.name}`).toContain(e.name);
  });

  it('leaves the gateway replica count to the autoscaler when there is one, which targets the gateway Deployment', () => {
    const gateway = one(r, 'Deployment', 'gateway');
    const hpas = find(r, 'HorizontalPodAutoscaler');
    if (!values.gateway.autoscaling.enabled) {
      expect(hpas).toEqual([]);
      expect(gateway.spec.replicas).toBe(values.gateway.replicas);
      return;
    }
    expect(gateway.spec.replicas).toBeUndefined();
    const [hpa] = hpas;
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: gateway.apiVersion, kind: 'Deployment', name: gateway.metadata.name });
    expect(hpa.spec.minReplicas).toBe(values.gateway.autoscaling.minReplicas);
    expect(hpa.spec.maxReplicas).toBe(values.gateway.autoscaling.maxReplicas);
    expect(hpa.spec.metrics.map((m: Obj) => m.resource.name)).toEqual(
      values.gateway.autoscaling.targetMemoryUtilizationPercentage ? ['cpu', 'memory'] : ['cpu'],
    );
  });

  it('gives each PodDisruptionBudget and Service a selector that matches its own pods and no others', () => {
    const pods: Record<string, Record<string, string>> = {
      api: one(r, 'Deployment', 'api').spec.template.metadata.labels,
      gateway: one(r, 'Deployment', 'gateway').spec.template.metadata.labels,
      migrate: one(r, 'Job', 'migrate').spec.template.metadata.labels,
    };
    if (values.console.enabled) pods.console = one(r, 'Deployment', 'console').spec.template.metadata.labels;
    const check = (selector: Record<string, string>, component: string) => {
      expect(matches(selector, pods[component])).toBe(true);
      for (const other of Object.keys(pods).filter((c) => c !== component))
        expect(matches(selector, pods[other as keyof typeof pods])).toBe(false);
    };
    for (const pdb of find(r, 'PodDisruptionBudget')) {
      expect(pdb.apiVersion).toBe('policy/v1');
      check(pdb.spec.selector.matchLabels, pdb.metadata.labels['app.kubernetes.io/component']);
    }
    expect(find(r, 'PodDisruptionBudget', 'gateway')).toHaveLength(values.gateway.podDisruptionBudget.enabled ? 1 : 0);
    expect(find(r, 'PodDisruptionBudget', 'api')).toHaveLength(values.api.podDisruptionBudget.enabled ? 1 : 0);
    expect(find(r, 'PodDisruptionBudget', 'console')).toHaveLength(
      values.console.enabled && values.console.podDisruptionBudget.enabled ? 1 : 0,
    );
    for (const component of Object.keys(pods).filter((c) => c !== 'migrate')) {
      const service = one(r, 'Service', component);
      check(service.spec.selector, component);
      expect(service.spec.ports[0].targetPort).toBe('http');
    }
    expect(one(r, 'Service', 'gateway').spec.sessionAffinity).toBe(values.gateway.service.sessionAffinity);
  });

  it('runs the migration as a pre-install/pre-upgrade hook Job, with its database URL there before it', () => {
    const job = one(r, 'Job', 'migrate');
    expect(hookEvents(job).sort()).toEqual(['pre-install', 'pre-upgrade']);
    expect(job.metadata.annotations['helm.sh/hook-delete-policy']).toContain('before-hook-creation');
    const pod = job.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.containers[0].args).toEqual(['migrate']);
    expect(pod.serviceAccountName).toBe(values.migrate.serviceAccountName || undefined); // the chart's account does not exist yet
    const ref = pod.containers[0].env.find((e: Obj) => e.name === 'DATABASE_URL').valueFrom.secretKeyRef;
    if (values.database.existingSecret) {
      expect(ref).toEqual({ name: values.database.existingSecret, key: values.database.existingSecretKey });
      return;
    }
    // A hook runs before the release's own objects exist: its Secret must be a hook too, created first.
    const secret = find(r, 'Secret').find((s) => s.metadata.name === ref.name);
    expect(secret, `Secret ${ref.name}`).toBeDefined();
    expect(hookEvents(secret!).sort()).toEqual(hookEvents(job).sort());
    expect(Number(secret!.metadata.annotations['helm.sh/hook-weight'])).toBeLessThan(
      Number(job.metadata.annotations['helm.sh/hook-weight']),
    );
    expect(Object.keys(secret!.data)).toContain(ref.key);
  });

  it('resolves every Secret reference to a key the chart writes, or to a Secret you named', () => {
    const rendered = new Map(find(r, 'Secret').map((s) => [s.metadata.name, s]));
    const existing = new Set(
      [
        values.database.existingSecret,
        values.redis.existingSecret,
        values.masterKey.existingSecret,
        values.masterKey.previous.existingSecret,
      ].filter(Boolean),
    );
    const refs: Array<{ from: Obj; name: string; key: string }> = [];
    for (const o of r.objects.map((x) => x.object as Obj)) {
      const pod = podSpecOf(o);
      for (const c of pod?.containers ?? [])
        for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) refs.push({ from: o, ...e.valueFrom.secretKeyRef });
      for (const v of (pod as Obj | undefined)?.volumes ?? [])
        for (const item of v.secret?.items ?? []) refs.push({ from: o, name: v.secret.secretName, key: item.key });
    }
    expect(refs.length).toBeGreaterThanOrEqual(7);
    for (const ref of refs) {
      const where = `${ref.from.kind}/${ref.from.metadata.name} -> ${ref.name}/${ref.key}`;
      const secret = rendered.get(ref.name);
      if (!secret) {
        expect(existing, where).toContain(ref.name);
        continue;
      }
      expect(Object.keys(secret.data), where).toContain(ref.key);
      // A long-running pod must not depend on a hook Secret, which Helm deletes after the hook.
      if (ref.from.kind !== 'Job') expect(hookEvents(secret), where).toEqual([]);
    }
  });

  it('gives the master key to every server as a file, never as an environment variable', () => {
    for (const component of ['api', 'gateway']) {
      const pod = one(r, 'Deployment', component).spec.template.spec;
      const env = pod.containers[0].env.map((e: Obj) => e.name);
      expect(env).not.toContain('GATEHOUSE_MASTER_KEY');
      const file = pod.containers[0].env.find((e: Obj) => e.name === 'GATEHOUSE_MASTER_KEY_FILE').value as string;
      const mount = pod.containers[0].volumeMounts.find((m: Obj) => file.startsWith(`${m.mountPath}/`));
      const volume = pod.volumes.find((v: Obj) => v.name === mount.name);
      expect(volume.secret.items.map((i: Obj) => i.path)).toContain(file.slice(mount.mountPath.length + 1));
      expect(env.includes('GATEHOUSE_MASTER_KEY_PREVIOUS_FILE')).toBe(Boolean(values.masterKey.previous.existingSecret));
    }
  });

  it('keeps secret values out of every object but Secrets', () => {
    const secretValues = [values.database.url, values.redis.url, values.masterKey.value].filter(Boolean);
    for (const o of r.objects.map((x) => x.object as Obj).filter((x) => x.kind !== 'Secret'))
      for (const value of secretValues) expect(JSON.stringify(o)).not.toContain(value);
  });

  it('routes the ingress to the services by port name, and builds the public URLs from its hosts', () => {
    const ingresses = find(r, 'Ingress');
    if (!values.ingress.enabled) return expect(ingresses).toEqual([]);
    const services = new Map(find(r, 'Service').map((s) => [s.metadata.name, s]));
    for (const rule of ingresses[0].spec.rules)
      for (const path of rule.http.paths) {
        const service = services.get(path.backend.service.name);
        expect(service, path.backend.service.name).toBeDefined();
        expect(service!.spec.ports.map((p: Obj) => p.name)).toContain(path.backend.service.port.name);
      }
    const env = Object.fromEntries(one(r, 'Deployment', 'gateway').spec.template.spec.containers[0].env.map((e: Obj) => [e.name, e.value]));
    const scheme = values.ingress.tls.length ? 'https' : 'http';
    expect(env.GATEWAY_PUBLIC_URL).toBe(values.publicUrls.gateway || `${scheme}://${values.ingress.gateway.host}`);
    expect(env.GATEWAY_ALLOWED_HOSTS).toBe(
      (values.gateway.allowedHosts.length ? values.gateway.allowedHosts : [values.ingress.gateway.host]).join(','),
    );
    if (values.publicUrls.api) expect(env.API_PUBLIC_URL).toBe(values.publicUrls.api);
    const consoleRules = ingresses[0].spec.rules.filter((rule: Obj) => rule.host === values.ingress.console.host);
    if (!values.ingress.console.host) return expect(consoleRules).toEqual([]);
    // The console's host is the API's public origin: SSO and OAuth URLs point there ...
    if (!values.publicUrls.api) expect(env.API_PUBLIC_URL).toBe(`${scheme}://${values.ingress.console.host}`);
    // ... and its API paths reach the API (directly), everything else the console.
    const byPath = Object.fromEntries(consoleRules[0].http.paths.map((p: Obj) => [p.path, p.backend.service.name]));
    expect(byPath).toEqual({
      '/api': one(r, 'Service', 'api').metadata.name,
      '/.well-known/oauth-authorization-server': one(r, 'Service', 'api').metadata.name,
      '/': one(r, 'Service', 'console').metadata.name,
    });
  });

  it('makes the console the API’s public URL when there is one and nothing else says otherwise', () => {
    const env = Object.fromEntries(one(r, 'Deployment', 'api').spec.template.spec.containers[0].env.map((e: Obj) => [e.name, e.value]));
    const gatewayEnv = Object.fromEntries(
      one(r, 'Deployment', 'gateway').spec.template.spec.containers[0].env.map((e: Obj) => [e.name, e.value]),
    );
    expect(gatewayEnv.API_PUBLIC_URL).toBe(env.API_PUBLIC_URL); // OAuth issuers must agree
    if (values.publicUrls.api) return expect(env.API_PUBLIC_URL).toBe(values.publicUrls.api);
    if (values.console.enabled && !values.ingress.enabled) expect(env.API_PUBLIC_URL).toBe('http://localhost:3000'); // kubectl port-forward
  });

  it('renders NOTES.txt', () => {
    expect(r.notes).toContain('acme');
    expect(r.notes).toMatch(values.ingress.enabled ? /MCP endpoints: https?:\/\// : /port-forward svc\/acme-gatehouse-gateway/);
    if (values.ingress.enabled && values.ingress.console.host)
      expect(r.notes).toContain(`Console:       https://${values.ingress.console.host}`);
    if (values.console.enabled && !(values.ingress.enabled && values.ingress.console.host))
      expect(r.notes).toContain('port-forward svc/acme-gatehouse-console 3000:3000');
    if (!values.console.enabled) expect(r.notes).not.toMatch(/console/i);
  });
});

describe('Helm chart: rollouts', () => {
  it('rolls the pods when the chart Secret changes (checksum annotation), and only then', () => {
    const base = ciValues('chart-secrets-values.yaml');
    const checksum = (values: Obj) =>
      one(renderChart(CHART, { values }), 'Deployment', 'gateway').spec.template.metadata.annotations['checksum/secret'] as string;
    const before = checksum(base);
    expect(checksum({ ...base, logLevel: 'debug' })).toBe(before);
    expect(checksum({ ...base, redis: { url: 'redis://other:6379' } })).not.toBe(before);
  });
});
