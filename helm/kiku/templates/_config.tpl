{{/*
The shared, non-secret settings of every service (the ConfigMap's data, and the migration Job's env, which runs
before the ConfigMap exists). Secrets go to the Secret, never here.
*/}}
{{- define "kiku.configData" -}}
{{- $secretLike := list "TOKEN" "PASSWORD" "SECRET" "API_KEY" }}
{{ include "kiku.redisConfig" . }}
KIKU_DB_HOST: {{ required "postgresql.host is required: the PostgreSQL host (with Citus, the coordinator)" .Values.postgresql.host | quote }}
KIKU_DB_PORT: {{ required "postgresql.port is required" .Values.postgresql.port | toString | quote }}
KIKU_DB_NAME: {{ required "postgresql.database is required" .Values.postgresql.database | quote }}
KIKU_DB_USERNAME: {{ required "postgresql.username is required" .Values.postgresql.username | quote }}
KIKU_BILLING_URL: {{ include "kiku.serviceUrl" (dict "root" . "name" "billing") | quote }}
KIKU_WEBHOOK_URL: {{ include "kiku.serviceUrl" (dict "root" . "name" "webhook") | quote }}
KIKU_LOCAL_STANDINS: {{ .Values.config.localStandins | toString | quote }}
KIKU_PADDLE_API_URL: {{ .Values.paddle.apiUrl | quote }}
{{- with .Values.paddle.checkoutUrl }}
KIKU_PADDLE_CHECKOUT_URL: {{ . | quote }}
{{- end }}
{{- with .Values.telegram.publicUrl }}
KIKU_TELEGRAM_PUBLIC_URL: {{ . | quote }}
{{- end }}
JAVA_OPTS_APPEND: {{ .Values.javaOpts | quote }}
{{- range $key, $value := .Values.config.extraEnv }}
{{- range $secretLike }}
{{- if contains . (upper $key) }}
{{- fail (printf "config.extraEnv.%s looks like a secret: put it in secrets.extra (or your existingSecret) instead" $key) }}
{{- end }}
{{- end }}
{{ $key }}: {{ $value | toString | quote }}
{{- end }}
{{- end }}
