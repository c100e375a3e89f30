#!/bin/bash
# `make demo`: kipvs on a real IPVS without touching this machine's tables. Runs inside User-Mode
# Linux (make demo boots it) or, as root, on a host whose kernel has IPVS (in a throwaway network
# namespace, so the host's own table is never touched).
set -euo pipefail
cd "$(dirname -- "${BASH_SOURCE[0]}")/.."
if [[ ${KIPVS_DEMO_NETNS:-} != 1 ]]; then
  KIPVS_DEMO_NETNS=1 exec unshare --net -- "$0" "$@"
fi
ip link set lo up
show() { printf '\n$ %s\n' "$*"; "$@"; }
show ./bin/kipvs restore --dry-run examples/demo-table.save
show ./bin/kipvs restore examples/demo-table.save
show ./bin/kipvs dump
show ./bin/kipvs dump -o save
show ipvsadm -Sn
