#!/usr/bin/env bash
# Every C++ file git tracks is formatted as .clang-format says (issue 13): lists the ones that are
# not, with the command that fixes them. Usage: check_format.sh SOURCE_DIR
set -euo pipefail
cd "$1"
command -v clang-format > /dev/null || { echo "clang-format is not installed (scripts/setup.sh)"; exit 1; }
sources() {  # the tracked C++ files (every one under the source folders outside a git checkout)
  if git rev-parse --git-dir > /dev/null 2>&1; then
    git ls-files '*.cc' '*.h' | grep -v '^tests/data/'
  else
    find include src bench fuzz tests -name '*.cc' -o -name '*.h' | grep -v '^tests/data/'
  fi
}
bad=()
while IFS= read -r f; do
  clang-format --dry-run --Werror "$f" > /dev/null 2>&1 || bad+=("$f")
done < <(sources)
if [ ${#bad[@]} -gt 0 ]; then
  echo "not formatted (run: clang-format -i ${bad[*]}):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "format: $(sources | wc -l) files formatted"
