#!/bin/bash
# Which Linux capabilities and which user kipvs's container really needs, measured in a real
# kernel (User-Mode Linux, the kernel-test harness). Run from the repository root after `make`:
#
#   docs/evidence/capabilities/run.sh > docs/evidence/capabilities/results.txt
#
# cases.sh runs inside UML (IPVS, rtnetlink, ipset, conntrack, iptables-legacy, the lock, file
# capabilities); host-kernel.sh then repeats the iptables restores on this machine's kernel,
# which has nf_tables.
#
# Each case starts every command the way runc starts a container process (runas.py): bounding
# set cut to the added capabilities, uid switched, permitted/effective set, ambient only when
# asked, no_new_privs as allowPrivilegeEscalation: false sets it. Each case runs in a fresh
# network namespace. Read results.txt beside this file; docs/least-privilege.md draws the conclusions.
set -euo pipefail
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$root"
[[ -f build/src/cli/main.js ]] || { echo "run make first" >&2; exit 2; }
test/uml/run-in-uml.sh -- docs/evidence/capabilities/cases.sh
echo
echo "== the same iptables operations on this machine's kernel"
docs/evidence/capabilities/host-kernel.sh
