{{/* The release's object name: the release name, unless it already contains the chart name. */}}
{{- define "asana-otel-receiver.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "asana-otel-receiver.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "asana-otel-receiver.labels" -}}
{{ include "asana-otel-receiver.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: asana-otel-receiver
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "asana-otel-receiver.claimName" -}}
{{- .Values.persistence.existingClaim | default (printf "%s-state" (include "asana-otel-receiver.fullname" .)) -}}
{{- end -}}
