{{/*
Redis settings of every service (redis.* values). Non-secret ones go to the ConfigMap (kiku.redisConfig), the
password comes from a Secret (kiku.redisEnv), and the CA to trust for TLS is a Secret mounted read-only
(kiku.redisVolumeMounts, kiku.redisVolumes). The names are the services' kiku.redis.* settings in environment form
(application.properties maps them onto quarkus.redis.*, and RedisSettings onto api's pinned client).
*/}}

{{/* Where the trusted CA is mounted, and the file the services read (KIKU_REDIS_TLS_TRUST_PEM). */}}
{{- define "kiku.redisTrustDir" -}}
/etc/kiku/redis-tls
{{- end }}

{{/*
Fails the render on combinations the services cannot run with.
*/}}
{{- define "kiku.validateRedis" -}}
{{- $r := .Values.redis }}
{{- $hosts := required "redis.hosts is required: the Redis Cluster seed nodes, e.g. redis://kiku-redis-redis-cluster:6379" $r.hosts }}
{{- if and (eq $r.mode "sentinel") (not $r.masterName) }}
{{- fail "redis.masterName is required in sentinel mode: the name the sentinels monitor the primary under" }}
{{- end }}
{{- if and $r.password $r.existingSecret }}
{{- fail "redis.password and redis.existingSecret are both set: give the password one way (existingSecret recommended)" }}
{{- end }}
{{- range splitList "," $hosts }}
{{- $host := trim . }}
{{- if and $r.tls.enabled (not (hasPrefix "rediss://" $host)) }}
{{- fail (printf "redis.hosts: %q is not a rediss:// URL, but redis.tls.enabled is true" $host) }}
{{- end }}
{{- if and (not $r.tls.enabled) (hasPrefix "rediss://" $host) }}
{{- fail (printf "redis.hosts: %q is a rediss:// URL: set redis.tls.enabled=true (and redis.tls.trustSecret for a private CA)" $host) }}
{{- end }}
{{- end }}
{{- if and $r.tls.trustSecret (not $r.tls.enabled) }}
{{- fail "redis.tls.trustSecret is set but redis.tls.enabled is false" }}
{{- end }}
{{- end }}

{{/*
The ConfigMap's Redis entries (part of kiku.configData): topology and TLS switches, never the password.
*/}}
{{- define "kiku.redisConfig" -}}
{{- include "kiku.validateRedis" . }}
{{- $r := .Values.redis }}
KIKU_REDIS_MODE: {{ $r.mode | quote }}
KIKU_REDIS_HOSTS: {{ $r.hosts | quote }}
{{- if eq $r.mode "sentinel" }}
KIKU_REDIS_MASTER_NAME: {{ $r.masterName | quote }}
{{- end }}
KIKU_REDIS_TLS: {{ $r.tls.enabled | toString | quote }}
{{- if $r.tls.enabled }}
KIKU_REDIS_TLS_HOSTNAME_VERIFICATION: {{ $r.tls.hostnameVerification | quote }}
{{- end }}
{{- end }}

{{/*
The container env entries for Redis: the password (QUARKUS_REDIS_PASSWORD: the Quarkus client reads it directly,
RedisSettings prefers it) from redis.existingSecret, else the release's Secret (key QUARKUS_REDIS_PASSWORD, optional:
absent means no AUTH); and the trusted CA's path when redis.tls.trustSecret is mounted.
*/}}
{{- define "kiku.redisEnv" -}}
{{- $r := .Values.redis }}
- name: QUARKUS_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      {{- if $r.existingSecret }}
      name: {{ $r.existingSecret }}
      key: {{ $r.existingSecretPasswordKey }}
      optional: false
      {{- else }}
      name: {{ include "kiku.secretName" . }}
      key: QUARKUS_REDIS_PASSWORD
      optional: true
      {{- end }}
{{- if and $r.tls.enabled $r.tls.trustSecret }}
- name: KIKU_REDIS_TLS_TRUST_PEM
  value: {{ printf "%s/ca.crt" (include "kiku.redisTrustDir" .) | quote }}
{{- end }}
{{- end }}

{{/* The read-only mount of the trusted CA (a list entry of volumeMounts), when redis.tls.trustSecret is set. */}}
{{- define "kiku.redisVolumeMounts" -}}
{{- if and .Values.redis.tls.enabled .Values.redis.tls.trustSecret }}
- name: redis-tls
  mountPath: {{ include "kiku.redisTrustDir" . }}
  readOnly: true
{{- end }}
{{- end }}

{{/* The Secret volume of the trusted CA (a list entry of volumes): only its one key, as ca.crt, read-only. */}}
{{- define "kiku.redisVolumes" -}}
{{- if and .Values.redis.tls.enabled .Values.redis.tls.trustSecret }}
- name: redis-tls
  secret:
    secretName: {{ .Values.redis.tls.trustSecret }}
    defaultMode: 0444
    items:
      - key: {{ .Values.redis.tls.trustSecretKey }}
        path: ca.crt
{{- end }}
{{- end }}

{{/*
checksum/redis of the pods: the live data of the Secrets holding the Redis password and CA (when the cluster can be
read), so that rotating them rolls the pods; empty (no annotation) when the chart's own Secret holds the password.
*/}}
{{- define "kiku.redisChecksum" -}}
{{- $r := .Values.redis }}
{{- $names := list }}
{{- with $r.existingSecret }}{{ $names = append $names . }}{{ end }}
{{- if $r.tls.enabled }}{{ with $r.tls.trustSecret }}{{ $names = append $names . }}{{ end }}{{ end }}
{{- if $names }}
{{- $state := dict }}
{{- range $names }}
{{- $live := dict }}
{{- if $.Values.secrets.reuseLiveSecret }}
{{- $live = (lookup "v1" "Secret" $.Release.Namespace .) | default dict }}
{{- end }}
{{- $_ := set $state . (get $live "data" | default dict) }}
{{- end }}
{{- toJson $state | sha256sum }}
{{- end }}
{{- end }}

{{/*
The TCP ports the services open to Redis, as a JSON list: networkPolicy.egress.redis.ports (the servers the client
discovers: cluster nodes, the sentinel-announced primary) plus the port of every redis.hosts URL (the seeds, the
standalone server, or in sentinel mode the sentinels, 26379), 6379 when a URL names none.
*/}}
{{- define "kiku.redisEgressPorts" -}}
{{- $ports := list }}
{{- range .Values.networkPolicy.egress.redis.ports }}
{{- $ports = append $ports (int .) }}
{{- end }}
{{- range splitList "," .Values.redis.hosts }}
{{- $host := get (urlParse (trim .)) "host" }}
{{- $port := regexFind "[0-9]+$" (regexFind ":[0-9]+$" $host) }}
{{- $ports = append $ports (int (default "6379" $port)) }}
{{- end }}
{{- toJson ($ports | uniq | sortAlpha) }}
{{- end }}
