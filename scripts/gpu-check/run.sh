#!/bin/sh
# Inside the unpacked bundle: finds the Vulkan driver, then runs the check with the bundled Node.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
export LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if [ -z "${VK_ICD_FILENAMES:-}" ]; then
  for f in /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.x86_64.json; do
    if [ -f "$f" ]; then export VK_ICD_FILENAMES="$f"; break; fi
  done
fi
echo "VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-unset (the loader searches its default paths)}"
if command -v nvidia-smi >/dev/null 2>&1; then nvidia-smi -L || true; fi
# Hard stop under 8 minutes; rows are printed as they finish (stderr), the table at the end.
exec timeout 475 "$here/node" "$here/app/check.mjs" --vectors "$here/app/vectors" "$@"
