#!/bin/bash
# Runs one command inside a User-Mode Linux kernel booted over the host's own root filesystem
# (hostfs), with IPVS, ipset, netfilter, dummy and veth modules loaded, and exits with the
# command's exit status. See README.md in this directory.
#
#   test/uml/run-in-uml.sh [--timeout SECONDS] [--mem SIZE] -- COMMAND [ARG...]
#
# The command runs as root, in the current working directory, with the current environment
# (KIPVS_IN_UML=1 added). Its stdout and stderr are streamed here while it runs.
# Exit status: the command's own; 125 when the harness failed (no UML, boot failure, timeout).
# Environment: KIPVS_UML_TIMEOUT (seconds, default 1800), KIPVS_UML_MEM (default 2G),
# KIPVS_UML_KERNEL (the UML binary, default `linux`), KIPVS_UML_MODULES (its modules: uml-kernel.sh).
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=uml-kernel.sh
. "$here/uml-kernel.sh"
root=$(cd -- "$here/../.." && pwd)
timeout_s=${KIPVS_UML_TIMEOUT:-1800}
mem=${KIPVS_UML_MEM:-2G}

die() { echo "run-in-uml: $*" >&2; exit 125; }
usage() { echo "usage: $0 [--timeout SECONDS] [--mem SIZE] -- COMMAND [ARG...]" >&2; exit 125; }

while (($#)); do
  case $1 in
    --timeout) timeout_s=${2:?}; shift 2 ;;
    --mem) mem=${2:?}; shift 2 ;;
    --) shift; break ;;
    *) usage ;;
  esac
done
(($#)) || usage

# Prints why UML cannot run here, or nothing when it can.
"$here/uml-available.sh" >/dev/null || die "$("$here/uml-available.sh" 2>&1)"

# One directory per boot, under the repository's ignored build/ directory: the kernel sees it
# through hostfs at the same path. Keep the last few for post-mortems.
runs=$root/build/uml
mkdir -p "$runs"
run=$(mktemp -d "$runs/run-$(date +%Y%m%d-%H%M%S)-XXXX")
# shellcheck disable=SC2012
ls -1dt "$runs"/run-* 2>/dev/null | tail -n +11 | while read -r old; do rm -rf -- "$old"; done

printf '%s\0' "$@" > "$run/argv"
pwd > "$run/cwd"
env -0 > "$run/env"
: > "$run/stdout"
: > "$run/stderr"

# UML keeps its memory in a file under $TMPDIR, else /dev/shm. A small /dev/shm (containers
# often have 64 MB) makes the kernel die of SIGBUS when it touches more: use the disk then.
mem_kb=$(numfmt --from=iec "${mem}" 2>/dev/null || echo 0); mem_kb=$((mem_kb / 1024))
if [[ -z ${TMPDIR:-} ]]; then
  shm_kb=$(df -k --output=avail /dev/shm 2>/dev/null | tail -n 1 | tr -d ' ' || echo 0)
  if ((${shm_kb:-0} < mem_kb)); then
    export TMPDIR=$run
  fi
fi

start=$(date +%s.%N)
# The kernel passes `kipvs_run=...` and `kipvs_modules=...` to init as environment variables. `quiet` keeps kernel
# messages off the console, which we keep in console.log for when the boot fails.
timeout --kill-after=10 "$timeout_s" \
  "$uml_kernel" mem="$mem" rootfstype=hostfs rootflags=/ rw quiet init="$here/init.sh" \
    con=null con0=null,fd:2 kipvs_run="$run" kipvs_modules="$uml_modules" \
  < /dev/null > "$run/console.log" 2>&1 &
uml=$!

# Stream the command's output while it runs; tail stops when the kernel is gone.
tail -n +1 -s 0.2 -f --pid="$uml" "$run/stdout" &
tail_out=$!
tail -n +1 -s 0.2 -f --pid="$uml" "$run/stderr" >&2 &
tail_err=$!

set +e
wait "$uml"
uml_status=$?
wait "$tail_out" "$tail_err"
set -e
# The environment may hold secrets; it was only needed at boot.
rm -f "$run/env"
elapsed=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

timing() {
  # init.sh wrote kernel uptimes at: booted, modules, command, done
  local booted=- modules=- command=- done=-
  # shellcheck disable=SC1090
  [[ -f $run/timing ]] && while read -r k v; do printf -v "$k" '%s' "$v"; done < "$run/timing"
  echo "run-in-uml: boot ${booted}s, modules loaded at ${modules}s, command started at ${command}s," \
    "finished at ${done}s (kernel uptime); ${elapsed}s on the host; files in ${run#"$root"/}" >&2
}

if [[ ! -f $run/status ]]; then
  echo "---- UML console (last 40 lines of ${run#"$root"/}/console.log) ----" >&2
  tail -n 40 "$run/console.log" >&2 || true
  [[ -f $run/init.log ]] && { echo "---- init.log ----" >&2; cat "$run/init.log" >&2; }
  timing
  if ((uml_status == 124 || uml_status == 137)); then
    die "the UML kernel did not finish within ${timeout_s}s (KIPVS_UML_TIMEOUT); killed"
  fi
  die "the UML kernel stopped (exit status $uml_status) before the command finished"
fi
status=$(< "$run/status")
if ((status == 125)) && [[ -f $run/init.log ]]; then
  echo "---- init.log ----" >&2; cat "$run/init.log" >&2
  timing
  die "the harness failed inside the UML kernel (see above)"
fi
timing
exit "$status"
