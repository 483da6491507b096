{{/* Chart name, overridable. */}}
{{- define "podbell.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name used as the prefix of every resource: the release name, plus the chart name unless the
release name already contains it (release "podbell" -> "podbell").
*/}}
{{- define "podbell.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* A name derived from the fullname with a suffix, kept within 63 characters. */}}
{{- define "podbell.suffixed" -}}
{{- $full := include "podbell.fullname" .root }}
{{- printf "%s-%s" ($full | trunc (int (sub 62 (len .suffix))) | trimSuffix "-") .suffix }}
{{- end }}

{{- define "podbell.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "podbell.selectorLabels" -}}
app.kubernetes.io/name: {{ include "podbell.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "podbell.labels" -}}
helm.sh/chart: {{ include "podbell.chart" . }}
{{ include "podbell.selectorLabels" . }}
app.kubernetes.io/version: {{ (default .Chart.AppVersion .Values.image.tag) | quote }}
app.kubernetes.io/component: alerting
app.kubernetes.io/part-of: podbell
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "podbell.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "podbell.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding the bot token: an existing one by name, else "<fullname>-slack". */}}
{{- define "podbell.secretName" -}}
{{- if .Values.slack.existingSecret }}
{{- .Values.slack.existingSecret }}
{{- else }}
{{- include "podbell.suffixed" (dict "root" . "suffix" "slack") }}
{{- end }}
{{- end }}

{{/* The ConfigMap podbell keeps open incidents and Slack thread references in (restart-safe state). */}}
{{- define "podbell.storeConfigMap" -}}
{{- include "podbell.suffixed" (dict "root" . "suffix" "threads") }}
{{- end }}


{{- define "podbell.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/*
A duration the way podbell reads it ("1m30s", "2500ms"; empty: `default`), in milliseconds, so the
chart can check what podbell would refuse at start.
*/}}
{{- define "podbell.durationMs" -}}
{{- $total := 0.0 }}
{{- $units := dict "ms" 1.0 "s" 1000.0 "m" 60000.0 "h" 3600000.0 }}
{{- range regexFindAll "[0-9]+(\\.[0-9]+)?(ms|s|m|h)" (default .default .value) -1 }}
{{- $unit := regexFind "(ms|s|m|h)$" . }}
{{- $total = addf $total (mulf (float64 (trimSuffix $unit .)) (get $units $unit)) }}
{{- end }}
{{- $total }}
{{- end }}

{{/* Checks that the schema cannot express; each fails the install with a message saying what to do. */}}
{{- define "podbell.validate" -}}
{{- if and .Values.slack.token .Values.slack.existingSecret }}
{{- fail "slack.token and slack.existingSecret are both set: use one (existingSecret keeps the token out of Helm's release history)" }}
{{- end }}
{{- if and .Values.slack.token (not (regexMatch "^(xoxe\\.)?xoxb-[A-Za-z0-9-]+$" .Values.slack.token)) }}
{{- fail "slack.token does not look like a Slack bot token (xoxb-...). An incoming-webhook URL (kube-slack's SLACK_URL) cannot work: podbell edits messages and replies in threads, which needs a bot token. Create the app from slack-app-manifest.yaml (docs/install.md)" }}
{{- end }}
{{- $leaseMs := include "podbell.durationMs" (dict "value" .Values.config.leaseDuration "default" "15s") | float64 }}
{{- $renewMs := include "podbell.durationMs" (dict "value" .Values.config.leaseRenew "default" "5s") | float64 }}
{{- if lt $leaseMs 1000.0 }}
{{- fail (printf "config.leaseDuration must be at least 1s, got %q (podbell refuses it at start)" .Values.config.leaseDuration) }}
{{- end }}
{{- if or (le $renewMs 0.0) (ge $renewMs $leaseMs) }}
{{- fail (printf "config.leaseRenew must be above 0 and below leaseDuration (%s), got %q (podbell refuses it at start)" (default "15s" .Values.config.leaseDuration) (default "5s" .Values.config.leaseRenew)) }}
{{- end }}
{{- if and .Values.slack.appToken (not .Values.slack.token) }}
{{- fail "slack.appToken is stored in the Secret the chart creates for slack.token: set both, or put the app-level token under key slack.appTokenKey of your own Secret (slack.existingSecret)" }}
{{- end }}
{{- range .Values.extraEnv }}
{{- if eq .name "SLACK_BOT_TOKEN" }}
{{- fail "extraEnv must not set SLACK_BOT_TOKEN: use slack.existingSecret (or slack.token) so the token comes from a Secret" }}
{{- end }}
{{- if eq .name "SLACK_APP_TOKEN" }}
{{- fail "extraEnv must not set SLACK_APP_TOKEN: put it under key slack.appTokenKey of the Slack Secret so it comes from a Secret" }}
{{- end }}
{{- end }}
{{- end }}
