#!/usr/bin/env bash
# Builds the DocC catalog of the Nozzle module into .build-docs/Nozzle.doccarchive, and fails when
# DocC warns (an unresolved symbol link in the catalog, or an undocumented parameter, say).
#
# Usage: scripts/docs.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/.build-docs
rm -rf "$out/nozzle-symbol-graphs"
mkdir -p "$out/symbol-graphs" "$out/nozzle-symbol-graphs"
swift build --package-path "$root" --scratch-path "$out/build" --target Nozzle --traits Tracing,ServiceLifecycle \
  -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc "$out/symbol-graphs" >/dev/null
# Only Nozzle's own symbols: its dependencies' graphs are written too, and their docs are not ours.
cp "$out"/symbol-graphs/Nozzle.symbols.json "$out"/symbol-graphs/Nozzle@*.symbols.json "$out/nozzle-symbol-graphs/" 2>/dev/null || \
  cp "$out"/symbol-graphs/Nozzle.symbols.json "$out/nozzle-symbol-graphs/"
docc=$(dirname "$(readlink -f "$(command -v swift)")")/docc
"$docc" convert "$root/Sources/Nozzle/Nozzle.docc" \
  --additional-symbol-graph-dir "$out/nozzle-symbol-graphs" \
  --fallback-display-name Nozzle --fallback-bundle-identifier org.nozzle.Nozzle \
  --output-path "$out/Nozzle.doccarchive" --warnings-as-errors
echo "docs: $out/Nozzle.doccarchive"
