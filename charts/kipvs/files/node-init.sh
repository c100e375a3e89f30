#!/bin/sh
# kipvs node preparation, run by the chart's privileged init container before kipvs starts.
# kipvs's own container cannot do this: it has no CAP_SYS_MODULE and its /proc/sys and /sys are
# read-only. This is what kube-proxy does for itself at start in IPVS mode (it runs privileged):
#   - load the IPVS, scheduler and conntrack modules;
#   - set the IPVS sysctls (the same list as src/proxy/sysctls.ts; a unit test keeps them equal);
#   - apply KubeProxyConfiguration.conntrack (nf_conntrack_max, its hash size, timeouts).
# Every step is idempotent and logged; a failure of a required step fails the pod's start.
#
# Environment, set by the chart from its values:
#   KIPVS_MODULES           modules that must load, space-separated
#   KIPVS_OPTIONAL_MODULES  modules loaded when available (a warning otherwise)
#   KIPVS_STRICT_ARP        "true": arp_ignore=1 and arp_announce=2 (config.ipvs.strictARP)
#   KIPVS_CONNTRACK_MAX_PER_CORE, KIPVS_CONNTRACK_MIN, KIPVS_CONNTRACK_TCP_ESTABLISHED_TIMEOUT,
#   KIPVS_CONNTRACK_TCP_CLOSE_WAIT_TIMEOUT, KIPVS_CONNTRACK_TCP_BE_LIBERAL,
#   KIPVS_CONNTRACK_UDP_TIMEOUT, KIPVS_CONNTRACK_UDP_STREAM_TIMEOUT
#                           config.conntrack, durations as Go durations ("24h0m0s")
# For tests only: KIPVS_NODE_ROOT (prefix of /proc and /sys), KIPVS_KERNEL_RELEASE, KIPVS_NPROC.
set -eu

root=${KIPVS_NODE_ROOT:-}
release=${KIPVS_KERNEL_RELEASE:-$(uname -r)}
failed=0

log() { printf 'kipvs-node-init: %s\n' "$*"; }
fail() { printf 'kipvs-node-init: ERROR: %s\n' "$*" >&2; failed=1; }

# Integer seconds of a Go duration, rounded down as kube-proxy's int(d / time.Second); empty
# output for a malformed one.
seconds() {
  printf '%s\n' "$1" | awk '
    BEGIN { unit["h"] = 3600; unit["m"] = 60; unit["s"] = 1; unit["ms"] = 0.001; unit["us"] = 0.000001; unit["ns"] = 0.000000001 }
    {
      s = $0; total = 0
      if (s == "0") { print 0; exit }
      if (s == "") exit
      while (length(s) > 0) {
        if (!match(s, /^[0-9]+(\.[0-9]+)?/)) exit
        n = substr(s, 1, RLENGTH) + 0; s = substr(s, RLENGTH + 1)
        if (match(s, /^(ms|us|ns|h|m|s)/)) { u = substr(s, 1, RLENGTH); s = substr(s, RLENGTH + 1) }
        else if (substr(s, 1, 3) == "\302\265s") { u = "us"; s = substr(s, 4) }
        else exit
        total += n * unit[u]
      }
      printf "%d\n", total
    }'
}

# set_sysctl NAME VALUE: NAME as a path under /proc/sys ("net/ipv4/vs/conntrack").
set_sysctl() {
  file=$root/proc/sys/$1
  if [ ! -f "$file" ]; then
    fail "sysctl $1 does not exist on this kernel (is its module loaded?)"
    return 0
  fi
  current=$(cat "$file")
  if [ "$current" = "$2" ]; then
    log "sysctl $1 = $2"
  elif printf '%s\n' "$2" > "$file"; then
    log "sysctl $1: $current -> $2"
  else
    fail "cannot set sysctl $1 to $2"
  fi
}

# Kernel modules. modprobe succeeds for built-in modules too (modules.builtin).
for module in ${KIPVS_MODULES:-}; do
  if modprobe -- "$module"; then
    log "module $module loaded"
  elif [ "$module" = nf_conntrack ] && modprobe -- nf_conntrack_ipv4; then
    # Kernels before 4.19 split IPv4 conntrack into its own module; kube-proxy accepts either.
    log "module nf_conntrack_ipv4 loaded"
  else
    fail "cannot load kernel module $module: IPVS mode needs it"
  fi
done
for module in ${KIPVS_OPTIONAL_MODULES:-}; do
  if modprobe -- "$module"; then log "module $module loaded"; else log "warning: kernel module $module is not available"; fi
done

# The IPVS sysctls kube-proxy sets (pkg/proxy/ipvs NewProxier).
set_sysctl net/ipv4/vs/conntrack 1
# conn_reuse_mode=0 only on 4.1 to 5.8: older kernels lack it, and before 5.9 mode 1 stalls
# reused connections to removed real servers for a second (kubernetes#93297); newer are fine.
major=${release%%.*}
minor=${release#*.}
minor=${minor%%[!0-9]*}
case $major$minor in *[!0-9]* | '') major=0 minor=0 ;; esac
if { [ "$major" -eq 4 ] && [ "$minor" -ge 1 ]; } || { [ "$major" -eq 5 ] && [ "$minor" -lt 9 ]; }; then
  set_sysctl net/ipv4/vs/conn_reuse_mode 0
fi
set_sysctl net/ipv4/vs/expire_nodest_conn 1
set_sysctl net/ipv4/vs/expire_quiescent_template 1
set_sysctl net/ipv4/ip_forward 1
if [ "${KIPVS_STRICT_ARP:-false}" = true ]; then
  set_sysctl net/ipv4/conf/all/arp_ignore 1
  set_sysctl net/ipv4/conf/all/arp_announce 2
fi

# Conntrack, as kube-proxy's conntrack settings (cmd/kube-proxy server_linux.go): the table
# size scales with the CPUs, and the hash table is grown to a quarter of it.
per_core=${KIPVS_CONNTRACK_MAX_PER_CORE:-0}
floor=${KIPVS_CONNTRACK_MIN:-0}
if [ "$per_core" -gt 0 ]; then
  cpus=${KIPVS_NPROC:-$(nproc)}
  max=$((per_core * cpus))
  [ "$max" -ge "$floor" ] || max=$floor
  set_sysctl net/netfilter/nf_conntrack_max "$max"
  hashsize_file=$root/sys/module/nf_conntrack/parameters/hashsize
  if [ -f "$hashsize_file" ]; then
    hashsize=$(cat "$hashsize_file")
    if [ "$hashsize" -lt $((max / 4)) ]; then
      if printf '%s\n' $((max / 4)) > "$hashsize_file"; then log "nf_conntrack hashsize: $hashsize -> $((max / 4))"
      else fail "cannot set the nf_conntrack hashsize to $((max / 4))"; fi
    fi
  else
    fail "no $hashsize_file (is nf_conntrack loaded?)"
  fi
fi
timeout_sysctl() { # NAME DURATION: set when the duration is positive
  value=$(seconds "$2")
  if [ -z "$value" ]; then fail "$2 is not a duration (for $1)"; return 0; fi
  if [ "$value" -gt 0 ]; then set_sysctl "$1" "$value"; fi
}
timeout_sysctl net/netfilter/nf_conntrack_tcp_timeout_established "${KIPVS_CONNTRACK_TCP_ESTABLISHED_TIMEOUT:-0}"
timeout_sysctl net/netfilter/nf_conntrack_tcp_timeout_close_wait "${KIPVS_CONNTRACK_TCP_CLOSE_WAIT_TIMEOUT:-0}"
if [ "${KIPVS_CONNTRACK_TCP_BE_LIBERAL:-false}" = true ]; then
  set_sysctl net/netfilter/nf_conntrack_tcp_be_liberal 1
fi
timeout_sysctl net/netfilter/nf_conntrack_udp_timeout "${KIPVS_CONNTRACK_UDP_TIMEOUT:-0}"
timeout_sysctl net/netfilter/nf_conntrack_udp_timeout_stream "${KIPVS_CONNTRACK_UDP_STREAM_TIMEOUT:-0}"

if [ "$failed" -ne 0 ]; then
  log "node preparation failed; kipvs will not start on this node until it succeeds"
  exit 1
fi
log "node ready for IPVS mode"
