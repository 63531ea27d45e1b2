{{/* Chart name, trimmed to the 63 characters of a DNS label. */}}
{{- define "portal.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Full name: release + chart, unless the release name already contains the chart name. */}}
{{- define "portal.fullname" -}}
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

{{- define "portal.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The standard labels on every object. */}}
{{- define "portal.labels" -}}
helm.sh/chart: {{ include "portal.chart" . }}
app.kubernetes.io/name: {{ include "portal.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: incident-portal
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Labels of one component: call with (dict "ctx" $ "component" "api"). */}}
{{- define "portal.componentLabels" -}}
{{ include "portal.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The immutable selector of one component. */}}
{{- define "portal.selectorLabels" -}}
app.kubernetes.io/name: {{ include "portal.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "portal.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "portal.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "portal.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The Secret the chart creates when a value is given inline. */}}
{{- define "portal.secretName" -}}
{{- printf "%s-secrets" (include "portal.fullname" .) -}}
{{- end -}}

{{/* Which Secret holds each group: its existingSecret, or the chart's. */}}
{{- define "portal.databaseSecret" -}}{{ default (include "portal.secretName" .) .Values.database.existingSecret }}{{- end -}}
{{- define "portal.redisSecret" -}}{{ default (include "portal.secretName" .) .Values.redis.existingSecret }}{{- end -}}
{{- define "portal.secretKeySecret" -}}{{ default (include "portal.secretName" .) .Values.secretKey.existingSecret }}{{- end -}}
{{- define "portal.ssoSecret" -}}{{ default (include "portal.secretName" .) .Values.sso.existingSecret }}{{- end -}}
{{- define "portal.s3Secret" -}}{{ default (include "portal.secretName" .) .Values.evidence.s3.existingSecret }}{{- end -}}
{{- define "portal.redisConfigured" -}}{{ if or .Values.redis.url .Values.redis.existingSecret }}true{{ end }}{{- end -}}
{{- define "portal.ssoConfigured" -}}{{ if or .Values.sso.staffProviders .Values.sso.existingSecret }}true{{ end }}{{- end -}}
{{- define "portal.s3KeysConfigured" -}}{{ if or .Values.evidence.s3.existingSecret (and .Values.evidence.s3.accessKeyId .Values.evidence.s3.secretAccessKey) }}true{{ end }}{{- end -}}

{{/* database.url with the runtime role as its user and no password (the app adds APP_DATABASE_PASSWORD). */}}
{{- define "portal.runtimeDatabaseUrl" -}}
{{- $u := urlParse .Values.database.url -}}
{{- urlJoin (dict "scheme" $u.scheme "host" $u.host "path" $u.path "query" $u.query "userinfo" .Values.config.appDatabaseRole) -}}
{{- end -}}

{{- define "portal.evidenceClaim" -}}
{{- default (printf "%s-evidence" (include "portal.fullname" .)) .Values.evidence.persistence.existingClaim -}}
{{- end -}}

{{/*
Refuses a configuration that cannot run, naming the value to set. Rendered by every template that needs it
(through portal.env), so `helm template` and `helm install` stop before anything is applied.
*/}}
{{- define "portal.validate" -}}
{{- $v := .Values -}}
{{- if not (or $v.database.existingSecret (and $v.database.url $v.database.appPassword)) -}}
{{- fail "database: set database.existingSecret (a Secret with DATABASE_URL, DATABASE_RUNTIME_URL and APP_DATABASE_PASSWORD), or database.url and database.appPassword" -}}
{{- end -}}
{{- if not (or $v.secretKey.existingSecret $v.secretKey.value) -}}
{{- fail "secretKey: set secretKey.existingSecret (a Secret with SECRET_KEY: openssl rand -base64 32), or secretKey.value" -}}
{{- end -}}
{{- if and (or $v.api.enabled $v.worker.enabled) (not (include "portal.redisConfigured" .)) -}}
{{- fail "redis: the api and worker need Redis: set redis.existingSecret (a Secret with REDIS_URL) or redis.url" -}}
{{- end -}}
{{- if and (eq $v.evidence.storage "s3") (not $v.evidence.s3.bucket) -}}
{{- fail "evidence.s3.bucket: required when evidence.storage is s3" -}}
{{- end -}}
{{- if $v.dataPlane.enabled -}}
{{- if not $v.dataPlane.tenant -}}{{- fail "dataPlane.tenant: the Mode C tenant's slug is required for a data plane" -}}{{- end -}}
{{- if not (hasPrefix "https://" $v.dataPlane.controlPlaneUrl) -}}{{- fail "dataPlane.controlPlaneUrl: the control plane's https:// plane-link URL is required for a data plane" -}}{{- end -}}
{{- if not $v.dataPlane.tlsSecret -}}{{- fail "dataPlane.tlsSecret: a Secret with the tenant's client certificate (tls.crt, tls.key) and the control plane's CA (ca.crt) is required" -}}{{- end -}}
{{- end -}}
{{- if $v.planeLink.enabled -}}
{{- if not $v.api.enabled -}}{{- fail "planeLink.enabled: the plane link is served by the api pods; enable api" -}}{{- end -}}
{{- if not $v.planeLink.tlsSecret -}}{{- fail "planeLink.tlsSecret: a Secret with the server certificate (tls.crt, tls.key) and the data planes' client CA (ca.crt) is required" -}}{{- end -}}
{{- if not $v.planeLink.grantSigningKeySecret -}}{{- fail "planeLink.grantSigningKeySecret: a Secret with the grant signing key is required" -}}{{- end -}}
{{- end -}}
{{- end -}}

{{/* The variables every process gets: the ConfigMap and secret references. */}}
{{- define "portal.commonEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "portal.databaseSecret" . }}
      key: {{ if .Values.database.existingSecret }}{{ default .Values.database.urlKey .Values.database.runtimeUrlKey }}{{ else }}{{ .Values.database.runtimeUrlKey }}{{ end }}
- name: APP_DATABASE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "portal.databaseSecret" . }}
      key: {{ .Values.database.appPasswordKey }}
- name: SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "portal.secretKeySecret" . }}
      key: {{ .Values.secretKey.key }}
{{- if include "portal.redisConfigured" . }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "portal.redisSecret" . }}
      key: {{ .Values.redis.urlKey }}
{{- end }}
{{- if and (eq .Values.evidence.storage "s3") (include "portal.s3KeysConfigured" .) }}
- name: S3_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ include "portal.s3Secret" . }}
      key: {{ .Values.evidence.s3.accessKeyIdKey }}
- name: S3_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "portal.s3Secret" . }}
      key: {{ .Values.evidence.s3.secretAccessKeyKey }}
{{- end }}
{{- end -}}

{{/* Pod-level scheduling and security settings shared by the Deployments and the Job. */}}
{{- define "portal.podCommon" -}}
serviceAccountName: {{ include "portal.serviceAccountName" . }}
automountServiceAccountToken: {{ .Values.serviceAccount.automountServiceAccountToken }}
securityContext:
{{ toYaml .Values.podSecurityContext | indent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
{{ toYaml . | indent 2 }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
{{ toYaml . | indent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
{{ toYaml . | indent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
{{ toYaml . | indent 2 }}
{{- end }}
{{- end -}}

{{/* One egress rule: {to: [peers] (empty: any address), ports: [numbers]} over TCP. */}}
{{- define "portal.egressRule" -}}
- ports:
  {{- range .ports }}
    - port: {{ . }}
      protocol: TCP
  {{- end }}
  {{- with .to }}
  to:
{{ toYaml . | indent 4 }}
  {{- end }}
{{- end -}}
