# Sourced by run-in-uml.sh and uml-available.sh: which UML kernel a boot uses and where its
# modules are. KIPVS_UML_KERNEL names the kernel binary (default `linux`, Debian's
# user-mode-linux); its modules are in KIPVS_UML_MODULES, else in a `modules` directory beside a
# kernel that has one (what build-nft-kernel.sh makes: modules.builtin only, everything built in),
# else in Debian's /usr/lib/uml/modules. The directory holds one subdirectory per kernel release.
# shellcheck shell=bash
uml_kernel=${KIPVS_UML_KERNEL:-linux}
uml_modules=${KIPVS_UML_MODULES:-}
if [[ -z $uml_modules ]]; then
  uml_kernel_path=$(command -v -- "$uml_kernel" 2> /dev/null || true)
  if [[ $uml_kernel_path == /* && -d ${uml_kernel_path%/*}/modules ]]; then
    uml_modules=${uml_kernel_path%/*}/modules
  else
    uml_modules=/usr/lib/uml/modules
  fi
fi
