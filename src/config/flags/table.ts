// kube-proxy's command line (cmd/kube-proxy/app/options.go AddFlags, plus the
// logging flags of component-base logs/api/v1 AddFlags), as one table: each
// flag's name, value syntax, what it sets, and whether kube-proxy still
// honours it when --config names a file. The table drives parsing, precedence
// and `kipvs proxy --help`; usage texts are kipvs's own.
//
// Precedence (kube-proxy Options.Complete): with --config, the file replaces
// the configuration the flags were parsed into, so a config-mapped flag has no
// effect; only --config, --write-config-to, --cleanup, --init-only, --master,
// --hostname-override and the logging flags still apply (the logging ones are
// copied over the file's logging section, vmodule entries prepended). kipvs
// keeps that behaviour and warns about each flag that is ignored.

export type FlagType =
  | 'string'
  | 'bool'
  | 'int32'
  | 'float32'
  | 'duration'
  | 'stringSlice'
  | 'mapStringBool'
  | 'ip'
  | 'ipPort'
  | 'portRange'
  | 'level'
  | 'vmodule'
  | 'quantity';

/** Settings that are not part of KubeProxyConfiguration. */
export type ProxyOptionKey =
  | 'configFile'
  | 'writeConfigTo'
  | 'cleanup'
  | 'initOnly'
  | 'master'
  | 'hostnameOverride'
  | 'healthzPort'
  | 'metricsPort'
  | 'allowInsecureApiserver'
  | 'auditLogPath'
  | 'iptablesBackend'
  | 'version';

export interface FlagSpec {
  readonly name: string;
  readonly shorthand?: string;
  readonly type: FlagType;
  /** A KubeProxyConfiguration field path, or a non-configuration option. */
  readonly target: { readonly config: readonly string[] } | { readonly option: ProxyOptionKey };
  /** Whether the flag still takes effect when --config is given. */
  readonly withConfig: 'applies' | 'ignored';
  readonly usage: string;
  /** Shown in help as "(default ...)". */
  readonly defaultText?: string;
  readonly deprecated?: string;
  /** Flags that are kipvs's own, not kube-proxy's. */
  readonly kipvsOnly?: boolean;
  /** Which "model-affecting" group `plan`/`diff` share (see design.md). */
  readonly affectsModel?: boolean;
}

const cfg = (...path: string[]) => ({ config: path });
const opt = (option: ProxyOptionKey) => ({ option });

// biome-ignore format: one flag per line, read as a table of kube-proxy's flags
export const PROXY_FLAGS: readonly FlagSpec[] = [
  // What to load and what to do.
  { name: 'config', type: 'string', target: opt('configFile'), withConfig: 'applies', usage: 'Path of a KubeProxyConfiguration (kubeproxy.config.k8s.io/v1alpha1) file. When given, flags that map to configuration fields are ignored, as kube-proxy ignores them.' },
  { name: 'write-config-to', type: 'string', target: opt('writeConfigTo'), withConfig: 'applies', usage: 'Write the effective configuration to this file and exit.' },
  { name: 'cleanup', type: 'bool', target: opt('cleanup'), withConfig: 'applies', usage: 'Remove the IPVS, ipset and iptables state kube-proxy and kipvs create, then exit.' },
  { name: 'init-only', type: 'bool', target: opt('initOnly'), withConfig: 'applies', usage: 'Do the start-up steps that need full root privileges (sysctls, conntrack), then exit.' },
  { name: 'version', type: 'bool', target: opt('version'), withConfig: 'applies', usage: 'Print the kipvs version and exit.' },
  { name: 'allow-insecure-apiserver', type: 'bool', target: opt('allowInsecureApiserver'), withConfig: 'applies', kipvsOnly: true, usage: 'Accept an API server reached over plain http:// or with insecure-skip-tls-verify (refused otherwise; a warning is logged at every start).' },

  { name: 'audit-log-path', type: 'string', target: opt('auditLogPath'), withConfig: 'applies', kipvsOnly: true, defaultText: '-', usage: 'Where the audit trail goes: one JSON line per kernel change kipvs makes (what, which Service caused it, when, result). A file (appended, created mode 0600), or - for standard output.' },

  { name: 'iptables-backend', type: 'string', target: opt('iptablesBackend'), withConfig: 'applies', kipvsOnly: true, defaultText: 'auto', usage: 'Which iptables to program: auto (the one the kubelet uses, as kube-proxy\'s images choose), nft or legacy.' },

  // API server connection.
  { name: 'kubeconfig', type: 'string', target: cfg('clientConnection', 'kubeconfig'), withConfig: 'ignored', usage: 'Path of the kubeconfig file with the API server address and credentials. When neither this nor --master is set, the in-cluster service account is used.' },
  { name: 'master', type: 'string', target: opt('master'), withConfig: 'applies', usage: 'API server URL; overrides the server named in the kubeconfig.' },
  { name: 'kube-api-content-type', type: 'string', target: cfg('clientConnection', 'contentType'), withConfig: 'ignored', defaultText: 'application/vnd.kubernetes.protobuf', usage: 'Content type of requests sent to the API server.' },
  { name: 'kube-api-qps', type: 'float32', target: cfg('clientConnection', 'qps'), withConfig: 'ignored', defaultText: '5', usage: 'Sustained requests per second to the API server.' },
  { name: 'kube-api-burst', type: 'int32', target: cfg('clientConnection', 'burst'), withConfig: 'ignored', defaultText: '10', usage: 'Requests allowed in a burst above --kube-api-qps.' },
  { name: 'config-sync-period', type: 'duration', target: cfg('configSyncPeriod'), withConfig: 'ignored', defaultText: '15m0s', usage: 'How often the informers re-list Services and EndpointSlices. Must be greater than 0.' },

  // Node identity and servers.
  { name: 'hostname-override', type: 'string', target: opt('hostnameOverride'), withConfig: 'applies', usage: 'Name of this Node, when it is not the machine hostname. Takes precedence over hostnameOverride in --config.' },
  { name: 'bind-address', type: 'ip', target: cfg('bindAddress'), withConfig: 'ignored', affectsModel: true, defaultText: '0.0.0.0', usage: "Override of the node's primary IP (no socket is bound to it)." },
  { name: 'healthz-bind-address', type: 'ipPort', target: cfg('healthzBindAddress'), withConfig: 'ignored', defaultText: '0.0.0.0:10256', usage: 'IP and port of the health check server; empty disables it.' },
  { name: 'metrics-bind-address', type: 'ipPort', target: cfg('metricsBindAddress'), withConfig: 'ignored', defaultText: '127.0.0.1:10249', usage: 'IP and port of the metrics server (0.0.0.0:10249 or [::]:10249 to listen on all interfaces).' },
  { name: 'bind-address-hard-fail', type: 'bool', target: cfg('bindAddressHardFail'), withConfig: 'ignored', usage: 'Exit when the health or metrics server cannot bind its port.' },
  { name: 'profiling', type: 'bool', target: cfg('enableProfiling'), withConfig: 'ignored', usage: 'Serve profiling data under /debug/pprof on the metrics server.' },
  { name: 'show-hidden-metrics-for-version', type: 'string', target: cfg('showHiddenMetricsForVersion'), withConfig: 'ignored', usage: 'Previous minor version (<major>.<minor>) whose hidden metrics are shown again.' },
  { name: 'oom-score-adj', type: 'int32', target: cfg('oomScoreAdj'), withConfig: 'ignored', defaultText: '-999', usage: 'oom_score_adj of the kipvs process, in [-1000, 1000].' },
  { name: 'feature-gates', type: 'mapStringBool', target: cfg('featureGates'), withConfig: 'ignored', usage: 'Comma-separated gate=true|false pairs.' },

  // Proxy mode and IPVS.
  { name: 'proxy-mode', type: 'string', target: cfg('mode'), withConfig: 'ignored', affectsModel: true, usage: 'Proxy mode; kipvs implements only "ipvs" (empty means ipvs).' },
  { name: 'ipvs-scheduler', type: 'string', target: cfg('ipvs', 'scheduler'), withConfig: 'ignored', affectsModel: true, usage: 'IPVS scheduler of the virtual servers whose Service picks none (kipvs.io/ipvs-scheduler): rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh or twos (empty means rr).' },
  { name: 'ipvs-scheduler-flags', type: 'string', target: cfg('ipvs', 'schedulerFlags'), withConfig: 'ignored', affectsModel: true, kipvsOnly: true, usage: 'Flags of that scheduler, comma-separated as ipvsadm -b names them: sh-fallback, sh-port, mh-fallback, mh-port, flag-1, flag-2, flag-3 (unset: mh-port for mh, none for the others).' },
  { name: 'ipvs-sync-period', type: 'duration', target: cfg('ipvs', 'syncPeriod'), withConfig: 'ignored', defaultText: '30s', usage: 'Longest time between full resynchronisations of the IPVS state. Must be greater than 0.' },
  { name: 'ipvs-min-sync-period', type: 'duration', target: cfg('ipvs', 'minSyncPeriod'), withConfig: 'ignored', defaultText: '1s', usage: 'Shortest time between two synchronisations; 0 syncs on every change.' },
  { name: 'ipvs-strict-arp', type: 'bool', target: cfg('ipvs', 'strictARP'), withConfig: 'ignored', affectsModel: true, usage: 'Set arp_ignore=1 and arp_announce=2 so that the node does not answer ARP for addresses on kube-ipvs0.' },
  { name: 'ipvs-exclude-cidrs', type: 'stringSlice', target: cfg('ipvs', 'excludeCIDRs'), withConfig: 'ignored', affectsModel: true, usage: 'Comma-separated CIDRs whose virtual servers kipvs never removes.' },
  { name: 'ipvs-tcp-timeout', type: 'duration', target: cfg('ipvs', 'tcpTimeout'), withConfig: 'ignored', defaultText: '0s', usage: 'Idle timeout of IPVS TCP connections; 0 leaves the kernel value.' },
  { name: 'ipvs-tcpfin-timeout', type: 'duration', target: cfg('ipvs', 'tcpFinTimeout'), withConfig: 'ignored', defaultText: '0s', usage: 'Timeout of IPVS TCP connections after a FIN; 0 leaves the kernel value.' },
  { name: 'ipvs-udp-timeout', type: 'duration', target: cfg('ipvs', 'udpTimeout'), withConfig: 'ignored', defaultText: '0s', usage: 'Timeout of IPVS UDP entries; 0 leaves the kernel value.' },

  // Masquerading and local traffic.
  { name: 'masquerade-all', type: 'bool', target: cfg('iptables', 'masqueradeAll'), withConfig: 'ignored', affectsModel: true, usage: 'SNAT all traffic sent to Service cluster IPs.' },
  { name: 'iptables-masquerade-bit', type: 'int32', target: cfg('iptables', 'masqueradeBit'), withConfig: 'ignored', affectsModel: true, defaultText: '14', usage: 'Bit of the packet mark that requests SNAT, in [0, 31].' },
  { name: 'iptables-sync-period', type: 'duration', target: cfg('iptables', 'syncPeriod'), withConfig: 'ignored', defaultText: '30s', usage: 'iptables-mode sync period; accepted for compatibility, unused in ipvs mode.' },
  { name: 'iptables-min-sync-period', type: 'duration', target: cfg('iptables', 'minSyncPeriod'), withConfig: 'ignored', defaultText: '1s', usage: 'iptables-mode minimum sync period; accepted for compatibility, unused in ipvs mode.' },
  { name: 'iptables-localhost-nodeports', type: 'bool', target: cfg('iptables', 'localhostNodePorts'), withConfig: 'ignored', defaultText: 'true', usage: 'iptables-mode only: serve NodePorts on 127.0.0.1; accepted for compatibility, unused in ipvs mode.' },
  { name: 'cluster-cidr', type: 'string', target: cfg('clusterCIDR'), withConfig: 'ignored', affectsModel: true, usage: 'Pod CIDR of the cluster, or a comma-separated IPv4,IPv6 pair; with --detect-local-mode=ClusterCIDR, traffic from it is local.' },
  { name: 'detect-local-mode', type: 'string', target: cfg('detectLocalMode'), withConfig: 'ignored', affectsModel: true, usage: 'How pod traffic is recognised: ClusterCIDR, NodeCIDR, BridgeInterface or InterfaceNamePrefix (empty means ClusterCIDR).' },
  { name: 'pod-bridge-interface', type: 'string', target: cfg('detectLocal', 'bridgeInterface'), withConfig: 'ignored', affectsModel: true, usage: 'Bridge whose traffic is local, with --detect-local-mode=BridgeInterface.' },
  { name: 'pod-interface-name-prefix', type: 'string', target: cfg('detectLocal', 'interfaceNamePrefix'), withConfig: 'ignored', affectsModel: true, usage: 'Interface name prefix whose traffic is local, with --detect-local-mode=InterfaceNamePrefix.' },
  { name: 'nodeport-addresses', type: 'stringSlice', target: cfg('nodePortAddresses'), withConfig: 'ignored', affectsModel: true, usage: 'Comma-separated CIDRs and keywords (primary, localhost, all) selecting the node IPs that serve NodePorts; empty means all local IPs.' },

  // Conntrack.
  { name: 'conntrack-max-per-core', type: 'int32', target: cfg('conntrack', 'maxPerCore'), withConfig: 'ignored', defaultText: '32768', usage: 'Conntrack entries to allow per CPU core; 0 leaves the limit (and --conntrack-min) alone.' },
  { name: 'conntrack-min', type: 'int32', target: cfg('conntrack', 'min'), withConfig: 'ignored', defaultText: '131072', usage: 'Lowest conntrack limit to set, whatever --conntrack-max-per-core gives.' },
  { name: 'conntrack-tcp-timeout-established', type: 'duration', target: cfg('conntrack', 'tcpEstablishedTimeout'), withConfig: 'ignored', defaultText: '24h0m0s', usage: 'Idle timeout of established TCP conntrack entries; 0 leaves the kernel value.' },
  { name: 'conntrack-tcp-timeout-close-wait', type: 'duration', target: cfg('conntrack', 'tcpCloseWaitTimeout'), withConfig: 'ignored', defaultText: '1h0m0s', usage: 'Timeout of TCP conntrack entries in CLOSE_WAIT; 0 leaves the kernel value.' },
  { name: 'conntrack-tcp-be-liberal', type: 'bool', target: cfg('conntrack', 'tcpBeLiberal'), withConfig: 'ignored', usage: 'Set nf_conntrack_tcp_be_liberal so out-of-window TCP packets are not marked INVALID.' },
  { name: 'conntrack-udp-timeout', type: 'duration', target: cfg('conntrack', 'udpTimeout'), withConfig: 'ignored', defaultText: '0s', usage: 'Timeout of unreplied UDP conntrack entries; 0 leaves the kernel value.' },
  { name: 'conntrack-udp-timeout-stream', type: 'duration', target: cfg('conntrack', 'udpStreamTimeout'), withConfig: 'ignored', defaultText: '0s', usage: 'Timeout of assured UDP conntrack entries; 0 leaves the kernel value.' },

  // Deprecated in kube-proxy, kept so that old manifests still start.
  { name: 'healthz-port', type: 'int32', target: opt('healthzPort'), withConfig: 'ignored', defaultText: '10256', deprecated: 'use --healthz-bind-address', usage: 'Port of the health check server; 0 disables it.' },
  { name: 'metrics-port', type: 'int32', target: opt('metricsPort'), withConfig: 'ignored', defaultText: '10249', deprecated: 'use --metrics-bind-address', usage: 'Port of the metrics server.' },
  { name: 'proxy-port-range', type: 'portRange', target: cfg('portRange'), withConfig: 'ignored', deprecated: 'it has no effect', usage: 'Unused since the userspace proxy was removed.' },

  // Logging (component-base): these override the file's logging section.
  { name: 'v', shorthand: 'v', type: 'level', target: cfg('logging', 'verbosity'), withConfig: 'applies', defaultText: '0', usage: 'Log verbosity level.' },
  { name: 'vmodule', type: 'vmodule', target: cfg('logging', 'vmodule'), withConfig: 'applies', usage: 'Comma-separated pattern=N verbosity settings per source file (text format only).' },
  { name: 'logging-format', type: 'string', target: cfg('logging', 'format'), withConfig: 'applies', defaultText: 'text', usage: 'Log format: text or json.' },
  { name: 'log-flush-frequency', type: 'duration', target: cfg('logging', 'flushFrequency'), withConfig: 'applies', defaultText: '5s', usage: 'Longest time between log flushes.' },
  { name: 'log-text-split-stream', type: 'bool', target: cfg('logging', 'options', 'text', 'splitStream'), withConfig: 'applies', usage: 'Text format: errors to stderr, info to buffered stdout (needs the LoggingAlphaOptions gate).' },
  { name: 'log-text-info-buffer-size', type: 'quantity', target: cfg('logging', 'options', 'text', 'infoBufferSize'), withConfig: 'applies', usage: 'Text format with split streams: size of the info buffer (needs the LoggingAlphaOptions gate).' },
  { name: 'log-json-split-stream', type: 'bool', target: cfg('logging', 'options', 'json', 'splitStream'), withConfig: 'applies', usage: 'JSON format: errors to stderr, info to buffered stdout.' },
  { name: 'log-json-info-buffer-size', type: 'quantity', target: cfg('logging', 'options', 'json', 'infoBufferSize'), withConfig: 'applies', usage: 'JSON format with split streams: size of the info buffer.' },
];

const BY_NAME: ReadonlyMap<string, FlagSpec> = new Map(PROXY_FLAGS.map((f) => [f.name, f]));

export function findFlag(name: string): FlagSpec | undefined {
  return BY_NAME.get(name);
}

/** "--ipvs-scheduler" for the field path "ipvs.scheduler". */
export function flagForConfigPath(path: string): FlagSpec | undefined {
  return PROXY_FLAGS.find((f) => 'config' in f.target && f.target.config.join('.') === path);
}
