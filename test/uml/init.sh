#!/bin/bash
# PID 1 of a User-Mode Linux boot started by run-in-uml.sh (see README.md here).
#
# The kernel hands us `kipvs_run=<dir>` (an absolute path on the shared host filesystem) and
# `kipvs_modules=<dir>` (where the kernel's modules are, one directory per release) as
# environment variables. That directory holds the command to run (argv, NUL-separated), its
# working directory (cwd) and environment (env, NUL-separated), written by the host side. We
# mount the pseudo filesystems, load every kernel module the tests need, run the command, and
# leave its stdout, stderr and exit status in the same directory. Whatever happens, the kernel
# powers off at the end: PID 1 must never exit (that panics the kernel) and a hung init would
# only be caught by the host's timeout.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
run=${kipvs_run:-}

power_off() {
  sync
  poweroff -f
  # systemd's poweroff binary should never return here; the sysrq trigger is the fallback.
  echo o > /proc/sysrq-trigger
  sleep 5
}
trap power_off EXIT

note() { echo "kipvs-uml init: $*" >&2; [[ -n $run ]] && echo "$*" >> "$run/init.log"; }
# Exit status 125 tells the host side that the harness, not the command, failed.
fail() { note "FAILED: $*"; echo 125 > "$run/status.tmp" && mv "$run/status.tmp" "$run/status"; exit 1; }
uptime_s() { local u; read -r u _ < /proc/uptime; echo "$u"; }

if [[ -z $run || ! -d $run ]]; then
  echo "kipvs-uml init: no run directory (kipvs_run='$run')" >&2
  exit 1
fi

# Pseudo filesystems. Not /tmp: it is the host's /tmp over hostfs, and test files may live there.
mount -t proc proc /proc || fail "mount /proc"
mount -t sysfs sys /sys || fail "mount /sys"
mount -t tmpfs -o mode=0755 run /run || fail "mount /run"
mkdir -p /run/netns /run/mods/lib/modules
# Our own /dev: the host's /dev seen through hostfs is not this kernel's. /dev/fd and friends make
# `<(...)` and /dev/stdin work.
if ! grep -q ' /dev devtmpfs ' /proc/mounts; then
  mount -t devtmpfs dev /dev || note "cannot mount devtmpfs on /dev; using the host's /dev nodes"
fi
[[ -e /dev/fd ]] || ln -s /proc/self/fd /dev/fd
[[ -e /dev/stdin ]] || ln -s /proc/self/fd/0 /dev/stdin
[[ -e /dev/stdout ]] || ln -s /proc/self/fd/1 /dev/stdout
[[ -e /dev/stderr ]] || ln -s /proc/self/fd/2 /dev/stderr
mkdir -p /dev/shm && mount -t tmpfs shm /dev/shm
echo "booted $(uptime_s)" >> "$run/timing"

# Kernel modules. modprobe looks under /lib/modules/$(uname -r), which the host does not have.
# Of a kernel with most modules built in (build-nft-kernel.sh), modprobe finds those in
# modules.builtin and succeeds.
modules=${kipvs_modules:-/usr/lib/uml/modules}
kver=$(uname -r)
moddir=$modules/$kver
[[ -d $moddir ]] || fail "no modules for this kernel in $moddir (is user-mode-linux installed?)"
ln -s "$moddir" "/run/mods/lib/modules/$kver"
required=(
  ipv6
  ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_lblc ip_vs_lblcr ip_vs_dh ip_vs_sh
  ip_vs_sed ip_vs_nq ip_vs_fo ip_vs_ovf ip_vs_mh
  dummy veth nlmon
  nf_conntrack nf_conntrack_netlink
  ip_set ip_set_hash_ip ip_set_hash_ipport ip_set_hash_ipportip ip_set_hash_ipportnet
  ip_set_hash_net ip_set_hash_netport ip_set_hash_netiface ip_set_bitmap_port xt_set
  iptable_nat iptable_filter iptable_mangle ip6table_nat ip6table_filter ip6table_mangle
  xt_MASQUERADE xt_mark xt_comment xt_addrtype xt_conntrack xt_multiport xt_tcpudp xt_statistic
  xt_physdev xt_ipvs ipt_REJECT ip6t_REJECT
  nf_tables nft_compat
)
# Present in some kernels only; loaded when this one has them. hmac: an SCTP listener needs
# hmac(md5) for its cookies (listen() fails with ENOSYS without it), and the kernel's own module
# autoload cannot find modules here.
optional=(ip_vs_pe_sip ip_vs_ftp ip_tunnel ipip fou fou6 ip6_tunnel sctp hmac nft_ct nft_nat nft_masq)
have=()
for m in "${optional[@]}"; do
  # modules.dep names every module by path, kernel/.../NAME.ko (possibly compressed) and a colon;
  # modules.builtin names a built-in one by the same path alone
  grep -qE "(^|/)${m}\.ko(\.[a-z]+)?(:|\$)" "$moddir/modules.dep" "$moddir/modules.builtin" 2> /dev/null \
    && have+=("$m")
done
modprobe -d /run/mods -a "${required[@]}" || fail "modprobe of a required module failed (see above)"
if ((${#have[@]})); then
  modprobe -d /run/mods -a "${have[@]}" || note "an optional module did not load: ${have[*]}"
fi
[[ -e /proc/net/ip_vs ]] || fail "ip_vs loaded but /proc/net/ip_vs is missing"
ip link set lo up || fail "ip link set lo up"
echo "modules $(uptime_s)" >> "$run/timing"

# The command, in the host's working directory and environment.
cwd=$(< "$run/cwd")
cd "$cwd" || fail "cd $cwd"
while IFS= read -r -d '' kv; do
  name=${kv%%=*}
  case $name in PWD|OLDPWD|SHLVL|_) continue ;; esac
  [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] && export "$kv"
done < "$run/env"
export KIPVS_IN_UML=1
# Where this kernel's modules are (one directory per release), for tests that ask which it has.
export KIPVS_UML_MODULES=$modules
mapfile -d '' -t argv < "$run/argv"
((${#argv[@]})) || fail "empty command"
echo "command $(uptime_s)" >> "$run/timing"
"${argv[@]}" > "$run/stdout" 2> "$run/stderr" < /dev/null
status=$?
echo "done $(uptime_s)" >> "$run/timing"
echo "$status" > "$run/status.tmp" && mv "$run/status.tmp" "$run/status"
exit 0
