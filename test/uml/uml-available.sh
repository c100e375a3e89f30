#!/bin/bash
# Exits 0 when this machine can run the kernel tests in User-Mode Linux; otherwise prints one
# sentence saying what is missing and how to get it, and exits 1.
# KIPVS_UML_KERNEL names another UML kernel binary than `linux` (Debian's user-mode-linux), and
# KIPVS_UML_MODULES its modules (see uml-kernel.sh).
set -u
# shellcheck source=uml-kernel.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/uml-kernel.sh"
kernel=$uml_kernel
missing=()
for tool in "$kernel" modprobe ipvsadm ip timeout; do
  command -v "$tool" > /dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
  echo "kernel tests need User-Mode Linux and tools that are not installed (missing: ${missing[*]});" \
    "install them with: apt-get install -y user-mode-linux kmod ipvsadm ipset iptables iproute2 conntrack"
  exit 1
fi
kver=$("$kernel" --version 2> /dev/null)
if [[ -z $kver || ! -d $uml_modules/$kver ]]; then
  echo "User-Mode Linux is installed but has no modules for kernel '$kver' in $uml_modules;" \
    "reinstall it with: apt-get install --reinstall -y user-mode-linux"
  exit 1
fi
exit 0
