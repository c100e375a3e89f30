#!/bin/bash
# Builds (once) a User-Mode Linux kernel that has nf_tables for ip, ip6 and inet, so that the
# kernel tests can run with iptables-nft: Debian's UML kernel lacks CONFIG_NF_TABLES_IPV4/IPV6/INET
# and every iptables-nft write fails in it. Source: Debian's linux-source-6.1 package (the same
# kernel line as user-mode-linux); config: `make ARCH=um defconfig` plus nft-kernel.config here,
# everything built in but the IPVS schedulers.
#
#   test/uml/build-nft-kernel.sh      prints the kernel binary's path as its last line
#
# The result is cached outside the clone, in $KIPVS_KERNEL_CACHE (default /var/cache/kipvs)/
# uml-<hash>/, where the hash covers the config fragment, this script, the source package's
# version and the compiler: a second call with the same inputs returns at once. The directory
# holds `linux` and `modules/<release>/` (the schedulers' modules, modules.dep and modules.builtin:
# run-in-uml.sh hands it to init.sh, whose modprobe then loads a module or finds it built in). Needs linux-source-6.1, flex, bison, bc, gcc
# and make (.ci/install-deps installs them). Builds with every core at the lowest priority (nice 19).
set -euo pipefail
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
fragment=$here/nft-kernel.config
source_package=linux-source-6.1
tarball=/usr/src/$source_package.tar.xz
cache=${KIPVS_KERNEL_CACHE:-/var/cache/kipvs}

say() { echo "build-nft-kernel: $*" >&2; }
die() { say "$*"; exit 1; }

[[ -f $tarball ]] || die "no $tarball: install it with: apt-get install -y $source_package (or run .ci/install-deps)"
for tool in make gcc flex bison bc xz; do
  command -v "$tool" > /dev/null || die "'$tool' is missing (run .ci/install-deps)"
done

version=$(dpkg-query -W -f '${Version}' "$source_package" 2> /dev/null || stat -c %Y "$tarball")
key=$({
  cat "$fragment" "${BASH_SOURCE[0]}"
  echo "$source_package $version"
  gcc --version | head -n 1
} | sha256sum | cut -c 1-16)
out=$cache/uml-$key

mkdir -p "$cache"
# One build at a time per cache entry: a second caller waits for the first and then reuses it.
exec 9> "$out.lock"
flock 9
if [[ -x $out/linux ]]; then
  echo "$out/linux"
  exit 0
fi

work=$out.build
rm -rf -- "$work" "$out"
mkdir -p "$work"
log=$work/build.log
say "building a UML kernel from $source_package $version with nft-kernel.config into $out (log: $log)"
start=$SECONDS
{
  tar -xJf "$tarball" -C "$work"
  cd "$work/$source_package"
  make ARCH=um defconfig
  scripts/kconfig/merge_config.sh -m .config "$fragment"
  make ARCH=um olddefconfig
} > "$log" 2>&1 || { tail -n 30 "$log" >&2; die "configuring failed (see $log)"; }
src=$work/$source_package

# merge_config only warns when an option does not stick (a missing dependency): we fail.
lost=()
while IFS= read -r line; do
  grep -qxF -- "$line" "$src/.config" || lost+=("$line")
done < <(grep -E '^CONFIG_[A-Z0-9_]+=' "$fragment")
((${#lost[@]} == 0)) || die "options of nft-kernel.config the kernel's Kconfig did not take: ${lost[*]}"

jobs=$(nproc)
nice -n 19 make -C "$src" ARCH=um -j"$jobs" linux modules >> "$log" 2>&1 \
  || { tail -n 30 "$log" >&2; die "the build failed (see $log)"; }
release=$(make -s -C "$src" ARCH=um kernelrelease)
make -C "$src" ARCH=um INSTALL_MOD_PATH="$work/install" modules_install >> "$log" 2>&1 \
  || { tail -n 30 "$log" >&2; die "modules_install failed (see $log)"; }

mkdir -p "$out.new/modules"
cp "$src/linux" "$src/.config" "$out.new/"
mv "$work/install/lib/modules/$release" "$out.new/modules/$release"
# The install links back into the source tree, which goes away now.
rm -f "$out.new/modules/$release/build" "$out.new/modules/$release/source"
mv "$out.new" "$out"
rm -rf -- "$work"
say "built $release in $((SECONDS - start)) s with make -j$jobs"
echo "$out/linux"
