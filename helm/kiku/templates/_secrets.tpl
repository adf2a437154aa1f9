{{/*
The data of the chart's Secret (base64 values by key), computed once per render and kept in the root context, so
that the Secret and the pods' checksum/secret annotation see the same generated tokens.
Empty admin, per-caller internal and Telegram webhook tokens are generated once and then kept: with cluster access
(helm install/upgrade) they are read back from the live Secret (lookup). Without it (helm template, Argo CD) the
render refuses to invent them, unless secrets.generateWithoutCluster says new tokens on every render are fine.
*/}}
{{- define "kiku.secretData" -}}
{{- if not (hasKey . "kikuSecretData") }}
{{- $name := include "kiku.fullname" . }}
{{- $live := dict }}
{{- $reachable := false }}
{{- if .Values.secrets.reuseLiveSecret }}
{{- /* listing Secrets needs no more rights than Helm's own release storage; an empty answer means no cluster */}}
{{- $reachable = not (empty (lookup "v1" "Secret" .Release.Namespace "")) }}
{{- $live = (lookup "v1" "Secret" .Release.Namespace $name) | default dict }}
{{- end }}
{{- $liveData := get $live "data" | default dict }}
{{- $data := dict }}
{{- $generated := dict
      "KIKU_ADMIN_TOKEN" .Values.secrets.adminToken
      "KIKU_INTERNAL_TOKENS_API" .Values.secrets.internalTokens.api
      "KIKU_INTERNAL_TOKENS_BOT" .Values.secrets.internalTokens.bot
      "KIKU_INTERNAL_TOKENS_WEBHOOK" .Values.secrets.internalTokens.webhook }}
{{- if .Values.secrets.telegramBotToken }}
{{- $_ := set $generated "KIKU_TELEGRAM_WEBHOOK_SECRET" .Values.secrets.telegramWebhookSecret }}
{{- end }}
{{- range $key, $value := $generated }}
{{- if $value }}
{{- $_ := set $data $key ($value | b64enc) }}
{{- else if hasKey $liveData $key }}
{{- $_ := set $data $key (get $liveData $key) }}
{{- else if or $reachable $.Values.secrets.generateWithoutCluster }}
{{- $_ := set $data $key (randAlphaNum 48 | b64enc) }}
{{- else }}
{{- fail (printf "%s is empty and the live Secret %q cannot be read (no cluster access: helm template, Argo CD, or secrets.reuseLiveSecret=false), so a generated token would change on every render and split the services. Use existingSecret (recommended), give the token in secrets.*, or set secrets.generateWithoutCluster=true to accept new tokens on each render" $key $name) }}
{{- end }}
{{- end }}
{{- $given := dict
      "KIKU_DB_PASSWORD" .Values.postgresql.password
      "QUARKUS_REDIS_PASSWORD" .Values.redis.password
      "KIKU_PADDLE_WEBHOOK_SECRETS" .Values.secrets.paddleWebhookSecrets
      "KIKU_PADDLE_API_KEY" .Values.secrets.paddleApiKey
      "KIKU_TELEGRAM_BOT_TOKEN" .Values.secrets.telegramBotToken }}
{{- range $key, $value := merge $given .Values.secrets.extra }}
{{- if $value }}
{{- $_ := set $data $key ($value | toString | b64enc) }}
{{- end }}
{{- end }}
{{- $_ := set . "kikuSecretData" $data }}
{{- end }}
{{- toJson (get . "kikuSecretData") }}
{{- end }}

{{/*
checksum/secret of the pods: the hash of what the Secret holds, so pods roll when (and only when) a secret they
read changes. With existingSecret, the live Secret's data when the cluster can be read (else only its name: roll
the pods yourself, `kubectl rollout restart`, after rotating it).
*/}}
{{- define "kiku.secretChecksum" -}}
{{- if .Values.existingSecret }}
{{- $live := dict }}
{{- if .Values.secrets.reuseLiveSecret }}
{{- $live = (lookup "v1" "Secret" .Release.Namespace .Values.existingSecret) | default dict }}
{{- end }}
{{- toJson (dict "name" .Values.existingSecret "data" (get $live "data" | default dict)) | sha256sum }}
{{- else }}
{{- include "kiku.secretData" . | sha256sum }}
{{- end }}
{{- end }}
