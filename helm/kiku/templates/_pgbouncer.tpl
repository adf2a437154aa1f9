{{/*
PgBouncer (pgbouncer.enabled; templates/pgbouncer.yaml). The datasource env of the services with a database, pointing
them at PgBouncer: env entries win over the ConfigMap's envFrom, so the ConfigMap (and the migration Job, which
inlines it) keep postgresql.host and migrate directly.
*/}}
{{- define "kiku.pgbouncer.clientEnv" -}}
- name: KIKU_DB_HOST
  value: {{ include "kiku.serviceName" (dict "root" . "name" "pgbouncer") | quote }}
- name: KIKU_DB_PORT
  value: {{ .Values.pgbouncer.port | toString | quote }}
- name: KIKU_DB_BEHIND_PGBOUNCER
  value: "true"
{{- end }}

{{/*
The NetworkPolicy egress rule of the services with a database to PgBouncer's pods.
*/}}
{{- define "kiku.pgbouncer.egress" -}}
- to:
    - podSelector:
        matchLabels:
          {{- include "kiku.serviceSelectorLabels" (dict "root" . "name" "pgbouncer") | nindent 10 }}
  ports:
    - port: {{ .Values.pgbouncer.port }}
      protocol: TCP
{{- end }}
