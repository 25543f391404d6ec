#!/bin/sh
# On the GPU machine: sh run-on-gpu.sh gpu-check.tar.xz [--quick] [--allow-software]
# Unpacks into a fresh temporary folder and runs the check; needs only sh, tar, xz and the driver.
set -eu
bundle=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
dir=$(mktemp -d)
tar -xJf "$bundle" -C "$dir"
exec sh "$dir/gpu-check/run.sh" "$@"
