#!/usr/bin/env bash
# Runs one CLI golden case. A case file holds lines `key: value`:
#   args:   the placecast arguments ({tmp} = a fresh temporary directory, {src} = the source tree)
#   setup:  a shell command run first ({bin} = the placecast binary), optional, repeatable
#   env:    NAME=VALUE set for the command under test (repeatable)
#   cwd:    the directory the command under test runs in (default: the source tree; setups and
#           checks always run from the source tree)
#   exit:   the expected exit code
#   stdout: a line the standard output must contain (repeatable)
#   stderr: a line the standard error must contain (repeatable)
#   no-file: a path that must not exist afterwards (repeatable)
#   file:   a path that must exist, non-empty, afterwards (repeatable)
#   has:    PATH :: TEXT — the file at PATH must contain TEXT (repeatable)
#   lacks:  PATH :: TEXT — the file at PATH must exist and not contain TEXT (repeatable)
#   check:  a shell command run afterwards that must succeed (repeatable)
# Usage: run_case.sh PLACECAST_BINARY SOURCE_DIR CASE_FILE
set -u
bin=$1; src=$2; case_file=$3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sub() { local s=${1//\{tmp\}/$tmp}; s=${s//\{bin\}/$bin}; echo "${s//\{src\}/$src}"; }
fail=0
cd "$src"  # setups and the command run from the source tree, so relative paths work
while IFS= read -r line; do
  case "$line" in
    setup:*) eval "$(sub "${line#setup: }")" >/dev/null 2>&1 || { echo "setup failed: $line"; exit 1; } ;;
  esac
done < "$case_file"
args=$(sub "$(sed -n 's/^args: //p' "$case_file")")
want_exit=$(sed -n 's/^exit: //p' "$case_file")
cwd=$(sub "$(sed -n 's/^cwd: //p' "$case_file")")
cd "${cwd:-$src}" || { echo "cwd: cannot enter ${cwd}"; exit 1; }
envs=()
while IFS= read -r line; do envs+=("$(sub "$line")"); done < <(sed -n 's/^env: //p' "$case_file")
eval "env ${envs[*]:-} \"$bin\" $args" >"$tmp/out" 2>"$tmp/err"
got_exit=$?
cd "$src"
if [ "$got_exit" != "$want_exit" ]; then echo "exit code: want $want_exit, got $got_exit"; fail=1; fi
while IFS= read -r line; do
  case "$line" in
    stdout:*) want=$(sub "${line#stdout: }"); grep -qF -- "$want" "$tmp/out" || { echo "stdout lacks: $want"; fail=1; } ;;
    stderr:*) want=$(sub "${line#stderr: }"); grep -qF -- "$want" "$tmp/err" || { echo "stderr lacks: $want"; fail=1; } ;;
    no-file:*) f=$(sub "${line#no-file: }"); [ -e "$f" ] && { echo "file should not exist: $f"; fail=1; } ;;
    file:*) f=$(sub "${line#file: }"); [ -s "$f" ] || { echo "file should exist: $f"; fail=1; } ;;
    has:*) spec=$(sub "${line#has: }"); f=${spec%% :: *}; want=${spec#* :: }
      grep -qF -- "$want" "$f" 2>/dev/null || { echo "$f lacks: $want"; fail=1; } ;;
    lacks:*) spec=$(sub "${line#lacks: }"); f=${spec%% :: *}; want=${spec#* :: }
      if [ ! -e "$f" ] || grep -qF -- "$want" "$f"; then echo "$f should not hold: $want"; fail=1; fi ;;
    check:*) cmd=$(sub "${line#check: }"); eval "$cmd" >/dev/null 2>&1 || { echo "check failed: $cmd"; fail=1; } ;;
  esac
done < "$case_file"
if [ $fail != 0 ]; then echo "--- stdout"; cat "$tmp/out"; echo "--- stderr"; cat "$tmp/err"; fi
exit $fail
