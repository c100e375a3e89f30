{{/* The chart name, or nameOverride. */}}
{{- define "kipvs.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Object names: RELEASE-kipvs, or RELEASE when it already says kipvs, or fullnameOverride. */}}
{{- define "kipvs.fullname" -}}
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

{{/* The labels that select the pods: never change them after installing. */}}
{{- define "kipvs.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kipvs.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The recommended app.kubernetes.io labels on every object. */}}
{{- define "kipvs.labels" -}}
{{ include "kipvs.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: service-proxy
app.kubernetes.io/part-of: kipvs
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "kipvs.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kipvs.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name must name an existing service account when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "kipvs.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The port of a host:port address ("0.0.0.0:10256", "[::1]:10249"). */}}
{{- define "kipvs.portOf" -}}
{{- regexFind "[0-9]+$" . }}
{{- end }}

{{/* The host of a host:port address, without IPv6 brackets. */}}
{{- define "kipvs.hostOf" -}}
{{- regexReplaceAll ":[0-9]+$" . "" | trimPrefix "[" | trimSuffix "]" }}
{{- end }}

{{/* True for loopback hosts: 127.0.0.0/8 and ::1. */}}
{{- define "kipvs.isLoopback" -}}
{{- $host := include "kipvs.hostOf" . }}
{{- if or (hasPrefix "127." $host) (eq $host "::1") }}true{{ end }}
{{- end }}

{{/* Where the KubeProxyConfiguration is mounted, and the file kipvs reads. */}}
{{- define "kipvs.configDir" -}}
{{- if .Values.kubeProxyConfig.existingConfigMap }}/var/lib/kube-proxy{{ else }}/etc/kipvs{{ end }}
{{- end }}
{{- define "kipvs.configFile" -}}
{{- if .Values.kubeProxyConfig.existingConfigMap }}
{{- printf "/var/lib/kube-proxy/%s" .Values.kubeProxyConfig.configKey }}
{{- else }}/etc/kipvs/config.conf{{ end }}
{{- end }}

{{/*
Capabilities of the kipvs container (docs/least-privilege.md): CAP_NET_ADMIN for every netlink
write (IPVS, rtnetlink, ipset, conntrack, nf_tables); CAP_NET_RAW only for iptables-legacy,
which opens a raw socket to reach the kernel's xtables.
*/}}
{{- define "kipvs.capabilities" -}}
- NET_ADMIN
{{- if ne .Values.iptables.mode "nft" }}
- NET_RAW
{{- end }}
{{- end }}
