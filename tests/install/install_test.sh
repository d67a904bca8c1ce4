#!/usr/bin/env bash
# `cmake --install` puts the binary, the docs and the sample where a user finds them, the installed
# binary names its version and commit and ingests the installed sample, and CPack builds a .deb
# holding the same files. Usage: install_test.sh BUILD_DIR
set -euo pipefail
BUILD=$(realpath "$1")
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cmake --install "$BUILD" --prefix "$T/usr" > /dev/null
for f in bin/placecast share/doc/placecast/README.md share/doc/placecast/reliability.md \
         share/placecast/philadelphia/phl_2024_burglary_theft_robbery.csv.gz \
         share/placecast/philadelphia/PROVENANCE.md; do
  [ -s "$T/usr/$f" ] || { echo "not installed: $f"; exit 1; }
done
version=$("$T/usr/bin/placecast" --version)
[[ $version =~ ^placecast\ [0-9]+\.[0-9]+\.[0-9]+\ \(git\ [0-9a-f]{7,} ]] \
  || { echo "--version names no commit: $version"; exit 1; }
CI=1 "$T/usr/bin/placecast" ingest "$T/usr/share/placecast/philadelphia/phl_2024_burglary_theft_robbery.csv.gz" \
  --preset philadelphia --store "$T/s.gpkg" > /dev/null
(cd "$T" && cpack --config "$BUILD/CPackConfig.cmake" -G DEB -B "$T/pkg" > /dev/null)
deb=$(ls "$T"/pkg/placecast-*.deb)
dpkg-deb -c "$deb" > "$T/contents"
dpkg-deb -I "$deb" > "$T/info"
grep -q './usr/bin/placecast$' "$T/contents" || { echo "the .deb lacks usr/bin/placecast"; exit 1; }
grep -q 'Depends: .*libgdal' "$T/info" || { echo "the .deb declares no dependencies"; exit 1; }
echo "install: ok ($(basename "$deb"))"
