{{/*
One Deployment of the shared image. Call with
  (dict "ctx" $ "component" "api|worker|data-plane" "role" "<PORTAL_ROLE>" "spec" .Values.<component>)
*/}}
{{- define "portal.deployment" -}}
{{- $ := .ctx -}}
{{- $spec := .spec -}}
{{- $component := .component -}}
{{- $sel := dict "ctx" $ "component" $component -}}
{{- $planeLink := and (eq $component "api") $.Values.planeLink.enabled -}}
{{- $dataPlane := eq $component "data-plane" -}}
{{- $shm := ne $component "data-plane" -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "portal.fullname" $ }}-{{ $component }}
  namespace: {{ $.Release.Namespace }}
  labels:
{{ include "portal.componentLabels" $sel | indent 4 }}
  {{- with $.Values.commonAnnotations }}
  annotations:
{{ toYaml . | indent 4 }}
  {{- end }}
spec:
  {{- if not $spec.autoscaling.enabled }}
  replicas: {{ $spec.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  selector:
    matchLabels:
{{ include "portal.selectorLabels" $sel | indent 6 }}
  template:
    metadata:
      labels:
{{ include "portal.componentLabels" $sel | indent 8 }}
{{- with $.Values.podLabels }}
{{ toYaml . | indent 8 }}
{{- end }}
      annotations:
        checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") $ | sha256sum }}
        checksum/secret: {{ include (print $.Template.BasePath "/secret.yaml") $ | sha256sum }}
{{- with $.Values.podAnnotations }}
{{ toYaml . | indent 8 }}
{{- end }}
    spec:
{{ include "portal.podCommon" $ | indent 6 }}
      terminationGracePeriodSeconds: {{ $.Values.terminationGracePeriodSeconds }}
      {{- if $spec.topologySpreadConstraints }}
      topologySpreadConstraints:
{{ toYaml $spec.topologySpreadConstraints | indent 8 }}
      {{- else if $spec.topologySpread }}
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
{{ include "portal.selectorLabels" $sel | indent 14 }}
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
{{ include "portal.selectorLabels" $sel | indent 14 }}
      {{- end }}
      containers:
        - name: {{ $component }}
          image: {{ include "portal.image" $ }}
          imagePullPolicy: {{ $.Values.image.pullPolicy }}
          args: ["node", "dist/apps/portal-api/src/main.js"]
          securityContext:
{{ toYaml $.Values.containerSecurityContext | indent 12 }}
          ports:
            - name: http
              containerPort: {{ $.Values.containerPort }}
              protocol: TCP
            {{- if $planeLink }}
            - name: plane-link
              containerPort: {{ $.Values.planeLink.port }}
              protocol: TCP
            {{- end }}
          envFrom:
            - configMapRef:
                name: {{ include "portal.fullname" $ }}
          env:
            - name: PORTAL_ROLE
              value: {{ .role | quote }}
{{ include "portal.commonEnv" $ | indent 12 }}
            {{- if and (ne $component "data-plane") (include "portal.ssoConfigured" $) }}
            - name: SSO_STAFF_PROVIDERS
              valueFrom:
                secretKeyRef:
                  name: {{ include "portal.ssoSecret" $ }}
                  key: {{ $.Values.sso.staffProvidersKey }}
            {{- end }}
            {{- if and (ne $component "data-plane") $.Values.sso.extraCaConfigMap }}
            - name: SSO_EXTRA_CA_FILE
              value: /etc/portal/sso-ca/ca.crt
            {{- end }}
            {{- if $planeLink }}
            - name: PLANE_LINK_PORT
              value: {{ $.Values.planeLink.port | quote }}
            - name: PLANE_TLS_CERT_FILE
              value: /etc/portal/plane-tls/tls.crt
            - name: PLANE_TLS_KEY_FILE
              value: /etc/portal/plane-tls/tls.key
            - name: PLANE_TLS_CA_FILE
              value: /etc/portal/plane-tls/ca.crt
            - name: GRANT_SIGNING_KEY_FILE
              value: /etc/portal/grant-key/grant-signing-key.pem
            {{- end }}
            {{- if $dataPlane }}
            - name: DATA_PLANE_TENANT
              value: {{ $.Values.dataPlane.tenant | quote }}
            - name: CONTROL_PLANE_URL
              value: {{ $.Values.dataPlane.controlPlaneUrl | quote }}
            - name: HEARTBEAT_SECONDS
              value: {{ $.Values.dataPlane.heartbeatSeconds | quote }}
            - name: PLANE_TLS_CERT_FILE
              value: /etc/portal/plane-tls/tls.crt
            - name: PLANE_TLS_KEY_FILE
              value: /etc/portal/plane-tls/tls.key
            - name: PLANE_TLS_CA_FILE
              value: /etc/portal/plane-tls/ca.crt
            {{- if $.Values.dataPlane.grantPublicKeySecret }}
            - name: GRANT_PUBLIC_KEY_FILE
              value: /etc/portal/grant-key/grant-public-key.pem
            {{- end }}
            {{- end }}
            {{- with $spec.extraEnv }}
{{ toYaml . | indent 12 }}
            {{- end }}
          startupProbe:
            httpGet:
              path: /health/live
              port: http
{{ toYaml $.Values.probes.startup | indent 12 }}
          livenessProbe:
            httpGet:
              path: /health/live
              port: http
{{ toYaml $.Values.probes.liveness | indent 12 }}
          readinessProbe:
            httpGet:
              path: /health/ready
              port: http
{{ toYaml $.Values.probes.readiness | indent 12 }}
          resources:
{{ toYaml $spec.resources | indent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if $shm }}
            - name: shm
              mountPath: /dev/shm
            {{- end }}
            {{- if eq $.Values.evidence.storage "local" }}
            - name: evidence
              mountPath: {{ $.Values.evidence.dir }}
            {{- end }}
            {{- if or $planeLink $dataPlane }}
            - name: plane-tls
              mountPath: /etc/portal/plane-tls
              readOnly: true
            {{- end }}
            {{- if or $planeLink (and $dataPlane $.Values.dataPlane.grantPublicKeySecret) }}
            - name: grant-key
              mountPath: /etc/portal/grant-key
              readOnly: true
            {{- end }}
            {{- if and (ne $component "data-plane") $.Values.sso.extraCaConfigMap }}
            - name: sso-ca
              mountPath: /etc/portal/sso-ca
              readOnly: true
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ $.Values.tmpSizeLimit }}
        {{- if $shm }}
        - name: shm
          emptyDir:
            medium: Memory
            sizeLimit: {{ $.Values.shmSizeLimit }}
        {{- end }}
        {{- if eq $.Values.evidence.storage "local" }}
        - name: evidence
          {{- if $.Values.evidence.persistence.enabled }}
          persistentVolumeClaim:
            claimName: {{ include "portal.evidenceClaim" $ }}
          {{- else }}
          emptyDir: {}
          {{- end }}
        {{- end }}
        {{- if $planeLink }}
        - name: plane-tls
          secret:
            secretName: {{ $.Values.planeLink.tlsSecret }}
            defaultMode: 0440
            items:
              - key: {{ $.Values.planeLink.certKey }}
                path: tls.crt
              - key: {{ $.Values.planeLink.keyKey }}
                path: tls.key
              - key: {{ $.Values.planeLink.caKey }}
                path: ca.crt
        - name: grant-key
          secret:
            secretName: {{ $.Values.planeLink.grantSigningKeySecret }}
            defaultMode: 0440
            items:
              - key: {{ $.Values.planeLink.grantSigningKeyKey }}
                path: grant-signing-key.pem
        {{- end }}
        {{- if $dataPlane }}
        - name: plane-tls
          secret:
            secretName: {{ $.Values.dataPlane.tlsSecret }}
            defaultMode: 0440
            items:
              - key: {{ $.Values.dataPlane.certKey }}
                path: tls.crt
              - key: {{ $.Values.dataPlane.keyKey }}
                path: tls.key
              - key: {{ $.Values.dataPlane.caKey }}
                path: ca.crt
        {{- if $.Values.dataPlane.grantPublicKeySecret }}
        - name: grant-key
          secret:
            secretName: {{ $.Values.dataPlane.grantPublicKeySecret }}
            defaultMode: 0440
            items:
              - key: {{ $.Values.dataPlane.grantPublicKeyKey }}
                path: grant-public-key.pem
        {{- end }}
        {{- end }}
        {{- if and (ne $component "data-plane") $.Values.sso.extraCaConfigMap }}
        - name: sso-ca
          configMap:
            name: {{ $.Values.sso.extraCaConfigMap }}
            items:
              - key: {{ $.Values.sso.extraCaKey }}
                path: ca.crt
        {{- end }}
{{- end -}}
