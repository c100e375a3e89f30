#!/bin/bash
# The iptables cases again, on this machine's own kernel: the User-Mode Linux kernel of the
# harness has no nf_tables IPv4 tables (TABLE_ADD: Operation not supported), so cases.sh can
# only read through iptables-nft there. Both backends restore a filter-table chain with
# conntrack and comment matches, each case in a fresh network namespace (unshare --net), with a
# private lock file (the lock's ownership is tested in cases.sh). Runs as root; run.sh calls it.
set -u
here=$(cd -- "$(dirname -- "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 1777 "$work"  # the private lock must be creatable by the non-root cases
printf '*filter\n:KUBE-FORWARD - [0:0]\n-A KUBE-FORWARD -m conntrack --ctstate INVALID -m comment --comment "kipvs capability test" -j DROP\nCOMMIT\n' > "$work/rules"
chmod 0644 "$work/rules"
echo "kernel $(uname -r): iptables-{legacy,nft}-restore --noflush"
for backend in legacy nft; do
  if ! XTABLES_LOCKFILE=$work/lock unshare --net sh -c "iptables-$backend-restore --noflush < '$work/rules'" > /dev/null 2>&1; then
    echo "  $backend: this kernel cannot run it even with every capability; skipped"
    continue
  fi
  for case in "0 -" "0 net_admin" "0 net_admin,net_raw" "65532 net_admin,net_raw" "65532 net_admin --ambient" "65532 net_admin,net_raw --ambient"; do
    set -- $case
    rm -f "$work/lock"
    out=$(XTABLES_LOCKFILE=$work/lock unshare --net sh -c "python3 '$here/runas.py' $* --nnp -- iptables-$backend-restore --noflush < '$work/rules'" 2>&1)
    if [[ $? == 0 ]]; then result=ok; else result="FAIL $(printf '%s' "$out" | grep -v '^$' | grep -v '^Try ' | head -n 1 | cut -c1-100)"; fi
    printf '  %-6s uid %-6s %-36s %s\n' "$backend" "$1" "${*:2}" "$result"
  done
done
