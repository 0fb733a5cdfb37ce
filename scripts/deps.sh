#!/usr/bin/env bash
# Installs what dumppipe builds and tests with, from Debian's packages. Does nothing when all are there.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libyaml-dev zlib1g-dev libkdumpfile-dev libcapstone-dev libcmocka-dev
      python3 python3-jsonschema clang libclang-rt-14-dev
      libcurl4-openssl-dev libmspack-dev lld gcab libjson-c-dev liblzma-dev llvm
      libhiredis-dev redis-server libssl-dev
      help2man debhelper dpkg-dev lintian
      qemu-system-x86)  # a real QEMU writes the guest dumps e2e_test_qemu_real reads
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "installing: ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
