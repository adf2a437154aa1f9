{{/*
Chart name.
*/}}
{{- define "kiku.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name: the prefix of every object. Truncated to 50 characters so that
"<fullname>-<service>" (services are at most 8 characters) stays within the 63 of a DNS label.
*/}}
{{- define "kiku.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Name of one service's objects. Call with (dict "root" $ "name" "api").
*/}}
{{- define "kiku.serviceName" -}}
{{- printf "%s-%s" (include "kiku.fullname" .root) .name }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "kiku.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of objects that belong to the release as a whole.
*/}}
{{- define "kiku.labels" -}}
helm.sh/chart: {{ include "kiku.chart" . }}
{{ include "kiku.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: kiku
{{- end }}

{{/*
Selector labels shared by every pod of the release (the NetworkPolicy's "kiku pods").
*/}}
{{- define "kiku.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kiku.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels of one service's objects. Call with (dict "root" $ "name" "api").
*/}}
{{- define "kiku.serviceLabels" -}}
{{ include "kiku.labels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{/*
Selector labels of one service's pods. Call with (dict "root" $ "name" "api").
*/}}
{{- define "kiku.serviceSelectorLabels" -}}
{{ include "kiku.selectorLabels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{/*
Image of one service: <registry>/<image>:<tag>. Call with (dict "root" $ "svc" $svc).
*/}}
{{- define "kiku.image" -}}
{{- $registry := required "image.registry is required (e.g. ghcr.io/your-org)" .root.Values.image.registry | trimSuffix "/" }}
{{- $name := required "services.<name>.image is required" .svc.image }}
{{- $tag := default .root.Chart.AppVersion .root.Values.image.tag }}
{{- printf "%s/%s:%s" $registry $name $tag }}
{{- end }}

{{/*
Name of the ServiceAccount.
*/}}
{{- define "kiku.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kiku.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Name of the Secret the pods read: the operator's existingSecret or the chart's own.
*/}}
{{- define "kiku.secretName" -}}
{{- if .Values.existingSecret }}
{{- .Values.existingSecret }}
{{- else }}
{{- include "kiku.fullname" . }}
{{- end }}
{{- end }}

{{/*
Name of the ConfigMap of shared, non-secret settings.
*/}}
{{- define "kiku.configMapName" -}}
{{- include "kiku.fullname" . }}
{{- end }}

{{/*
URL of one service inside the cluster. Call with (dict "root" $ "name" "billing").
*/}}
{{- define "kiku.serviceUrl" -}}
{{- $svc := index .root.Values.services .name }}
{{- printf "http://%s:%v" (include "kiku.serviceName" .) $svc.port }}
{{- end }}

{{/*
Fails the render when a public path would expose an internal or operator endpoint.
Call with (dict "name" "api" "path" "/v1").
*/}}
{{- define "kiku.checkPublicPath" -}}
{{- if not (hasPrefix "/" .path) }}
{{- fail (printf "services.%s.ingressPaths: %q must start with /" .name .path) }}
{{- end }}
{{- $clean := .path | lower | replace "//" "/" }}
{{- range list "/internal" "/admin" "/q" }}
{{- if or (eq $clean .) (hasPrefix (printf "%s/" .) $clean) (eq $clean "/") }}
{{- fail (printf "services.%s.ingressPaths: %q is not public: /internal, /admin and /q are never routed by the Ingress" $.name $.path) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Secret key of one caller's service token: KIKU_INTERNAL_TOKENS_<CALLER>. Call with
(dict "caller" "bot" "field" "services.webhook.internalCallers"); an unknown caller fails the render.
*/}}
{{- define "kiku.internalTokenKey" -}}
{{- if not (has .caller (list "api" "bot" "webhook")) }}
{{- fail (printf "%s: %q is not a caller of the internal APIs (api, bot or webhook)" .field .caller) }}
{{- end }}
{{- printf "KIKU_INTERNAL_TOKENS_%s" (upper .caller) }}
{{- end }}

{{/*
The service tokens: one per caller, so one shared token (the old secrets.internalToken) and a token given
to two callers are refused (either would let one service act with another's scope).
*/}}
{{- define "kiku.validateInternalTokens" -}}
{{- if hasKey .Values.secrets "internalToken" }}
{{- fail "secrets.internalToken was replaced by secrets.internalTokens.api, .bot and .webhook: one token per calling service (Secret keys KIKU_INTERNAL_TOKENS_API, _BOT, _WEBHOOK)" }}
{{- end }}
{{- $seen := dict }}
{{- range $caller, $token := .Values.secrets.internalTokens }}
{{- if $token }}
{{- if hasKey $seen (toString $token) }}
{{- fail (printf "secrets.internalTokens.%s and .%s must differ: each service's token grants only its own scope" (get $seen (toString $token)) $caller) }}
{{- end }}
{{- $_ := set $seen (toString $token) $caller }}
{{- end }}
{{- end }}
{{- end }}

{{/*
One NetworkPolicy peer from namespace and pod labels; an empty namespaceSelector means the release's namespace,
an empty podSelector every pod of the selected namespace(s). Call with (dict "namespaceSelector" {...} "podSelector" {...}).
*/}}
{{- define "kiku.namespacedPeer" -}}
- {{- if .namespaceSelector }}
  namespaceSelector:
    matchLabels:
      {{- toYaml .namespaceSelector | nindent 6 }}
  {{- end }}
  {{- if .podSelector }}
  podSelector:
    matchLabels:
      {{- toYaml .podSelector | nindent 6 }}
  {{- else if not .namespaceSelector }}
  podSelector: {}
  {{- end }}
{{- end }}

{{/*
The peers of a data store (networkPolicy.egress.redis or .postgresql): its IP ranges when given, else its labels.
*/}}
{{- define "kiku.storePeers" -}}
{{- if .cidrs }}
{{- range .cidrs }}
- ipBlock:
    cidr: {{ . }}
{{- end }}
{{- else }}
{{- include "kiku.namespacedPeer" . }}
{{- end }}
{{- end }}
