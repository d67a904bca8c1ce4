#!/usr/bin/env bash
# Installs every Debian package placecast needs to build, test and benchmark. Idempotent.
set -euo pipefail
PKGS=(
  build-essential cmake ninja-build pkg-config git
  libgdal-dev libproj-dev proj-data libsqlite3-dev zlib1g-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev libcairo2-dev
  libgtest-dev libgmock-dev libbenchmark-dev libmimalloc-dev libglpk-dev libssl-dev libhowardhinnant-date-dev libxgboost-dev tzdata clang-format python3 time bc sqlite3
  clang-14 libfuzzer-14-dev libclang-rt-14-dev
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
