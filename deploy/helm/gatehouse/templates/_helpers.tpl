{{/*
Helpers shared by the templates. The templates keep to the subset of Go templates and Helm
functions that e2e/deploy/support/helm-template.ts renders (README.md, Tests): the tests run
without Helm.
*/}}

{{/* The chart name, as a DNS label. */}}
{{- define "gatehouse.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The prefix of every object name: RELEASE-gatehouse, or RELEASE when it already says gatehouse. */}}
{{- define "gatehouse.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Name of one component's objects: (dict "ctx" $ "component" "gateway"). Kept to 63 characters. */}}
{{- define "gatehouse.componentName" -}}
{{- printf "%s-%s" (include "gatehouse.fullname" .ctx | trunc 54 | trimSuffix "-") .component -}}
{{- end -}}

{{- define "gatehouse.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The standard labels of every object. */}}
{{- define "gatehouse.labels" -}}
helm.sh/chart: {{ include "gatehouse.chart" . }}
app.kubernetes.io/name: {{ include "gatehouse.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: gatehouse
{{- end -}}

{{/* Selector labels of one component: (dict "ctx" $ "component" "gateway"). Never change them: selectors are immutable. */}}
{{- define "gatehouse.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gatehouse.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Standard labels plus the component: (dict "ctx" $ "component" "gateway"). */}}
{{- define "gatehouse.componentLabels" -}}
{{ include "gatehouse.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* An image reference: (dict "ctx" $ "repository" "gatehouse-gateway"). */}}
{{- define "gatehouse.image" -}}
{{- $tag := .ctx.Values.image.tag | default .ctx.Chart.AppVersion -}}
{{- if .ctx.Values.image.registry -}}
{{- printf "%s/%s:%s" (trimSuffix "/" .ctx.Values.image.registry) .repository $tag -}}
{{- else -}}
{{- printf "%s:%s" .repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "gatehouse.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "gatehouse.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret this chart creates when a connection or the master key is given as a value. */}}
{{- define "gatehouse.secretName" -}}
{{- include "gatehouse.fullname" . -}}
{{- end -}}

{{/* True (non-empty) when the chart must create its Secret. */}}
{{- define "gatehouse.needsSecret" -}}
{{- if or (not .Values.database.existingSecret) (not .Values.redis.existingSecret) (not .Values.masterKey.existingSecret) -}}true{{- end -}}
{{- end -}}

{{- define "gatehouse.databaseSecretName" -}}
{{- .Values.database.existingSecret | default (include "gatehouse.secretName" .) -}}
{{- end -}}

{{- define "gatehouse.databaseSecretKey" -}}
{{- ternary .Values.database.existingSecretKey "DATABASE_URL" (not (empty .Values.database.existingSecret)) -}}
{{- end -}}

{{- define "gatehouse.redisSecretName" -}}
{{- .Values.redis.existingSecret | default (include "gatehouse.secretName" .) -}}
{{- end -}}

{{- define "gatehouse.redisSecretKey" -}}
{{- ternary .Values.redis.existingSecretKey "REDIS_URL" (not (empty .Values.redis.existingSecret)) -}}
{{- end -}}

{{- define "gatehouse.masterKeySecretName" -}}
{{- .Values.masterKey.existingSecret | default (include "gatehouse.secretName" .) -}}
{{- end -}}

{{- define "gatehouse.masterKeySecretKey" -}}
{{- ternary .Values.masterKey.existingSecretKey "master.key" (not (empty .Values.masterKey.existingSecret)) -}}
{{- end -}}

{{/* https when the ingress has TLS, else http. */}}
{{- define "gatehouse.ingressScheme" -}}
{{- ternary "https" "http" (not (empty .Values.ingress.tls)) -}}
{{- end -}}

{{/* True (non-empty) when the ingress has a console host. */}}
{{- define "gatehouse.consoleIngress" -}}
{{- if and .Values.ingress.enabled .Values.console.enabled .Values.ingress.console.host -}}true{{- end -}}
{{- end -}}

{{/* Where browsers reach the console: its ingress host, else a port-forward to its Service. */}}
{{- define "gatehouse.consolePublicUrl" -}}
{{- if include "gatehouse.consoleIngress" . -}}
{{- printf "%s://%s" (include "gatehouse.ingressScheme" .) .Values.ingress.console.host -}}
{{- else -}}
http://localhost:3000
{{- end -}}
{{- end -}}

{{/*
API_PUBLIC_URL. With the console deployed it is the console's URL: the console serves the API under
/api/*, and the SAML ACS must be on the origin whose session cookie the console's pages send.
*/}}
{{- define "gatehouse.apiPublicUrl" -}}
{{- if .Values.publicUrls.api -}}
{{- .Values.publicUrls.api -}}
{{- else if include "gatehouse.consoleIngress" . -}}
{{- include "gatehouse.consolePublicUrl" . -}}
{{- else if and .Values.ingress.enabled .Values.ingress.api.host -}}
{{- printf "%s://%s" (include "gatehouse.ingressScheme" .) .Values.ingress.api.host -}}
{{- else if .Values.console.enabled -}}
{{- include "gatehouse.consolePublicUrl" . -}}
{{- else -}}
http://localhost:3001
{{- end -}}
{{- end -}}

{{- define "gatehouse.gatewayPublicUrl" -}}
{{- if .Values.publicUrls.gateway -}}
{{- .Values.publicUrls.gateway -}}
{{- else if and .Values.ingress.enabled .Values.ingress.gateway.host -}}
{{- printf "%s://%s" (include "gatehouse.ingressScheme" .) .Values.ingress.gateway.host -}}
{{- else -}}
http://localhost:8080
{{- end -}}
{{- end -}}

{{/* Environment every Gatehouse process shares: connections from Secrets, the master key as a file, public URLs. */}}
{{- define "gatehouse.commonEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "gatehouse.databaseSecretName" . }}
      key: {{ include "gatehouse.databaseSecretKey" . }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "gatehouse.redisSecretName" . }}
      key: {{ include "gatehouse.redisSecretKey" . }}
- name: GATEHOUSE_MASTER_KEY_FILE
  value: /var/run/secrets/gatehouse/master-key/master.key
{{- if .Values.masterKey.previous.existingSecret }}
- name: GATEHOUSE_MASTER_KEY_PREVIOUS_FILE
  value: /var/run/secrets/gatehouse/master-key-previous/master.key
{{- end }}
- name: API_PUBLIC_URL
  value: {{ include "gatehouse.apiPublicUrl" . | quote }}
- name: GATEWAY_PUBLIC_URL
  value: {{ include "gatehouse.gatewayPublicUrl" . | quote }}
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
{{- end -}}

{{/* Volumes of the master key (and the previous one during a rotation), readable by fsGroup only. */}}
{{- define "gatehouse.masterKeyVolumes" -}}
- name: master-key
  secret:
    secretName: {{ include "gatehouse.masterKeySecretName" . }}
    defaultMode: 288 # 0440
    items:
      - key: {{ include "gatehouse.masterKeySecretKey" . }}
        path: master.key
{{- if .Values.masterKey.previous.existingSecret }}
- name: master-key-previous
  secret:
    secretName: {{ .Values.masterKey.previous.existingSecret }}
    defaultMode: 288 # 0440
    items:
      - key: {{ .Values.masterKey.previous.existingSecretKey }}
        path: master.key
{{- end }}
{{- end -}}

{{- define "gatehouse.masterKeyMounts" -}}
- name: master-key
  mountPath: /var/run/secrets/gatehouse/master-key
  readOnly: true
{{- if .Values.masterKey.previous.existingSecret }}
- name: master-key-previous
  mountPath: /var/run/secrets/gatehouse/master-key-previous
  readOnly: true
{{- end }}
{{- end -}}

{{/* name/value items from a map of strings (gateway.env, api.env). */}}
{{- define "gatehouse.envFromMap" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{/* Rolls the pods when the chart's Secret changes. */}}
{{- define "gatehouse.checksumAnnotation" -}}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end -}}
