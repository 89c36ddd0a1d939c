#!/usr/bin/env bash
# Refresh the vendored browser libraries from the npm registry.
#
# The client has no build step and must never load code from a CDN (many compounds' networks
# cannot reach one), so each library is copied here with its version in the file name, and
# SHA256SUMS records exactly what was shipped (tests/web/test_static.py checks it).
#
# Usage: web/vendor/refresh.sh [graphql-ws-version]     (default: the version pinned below)
set -euo pipefail
cd "$(dirname "$0")"
GRAPHQL_WS="${1:-6.4.2}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "graphql-ws@${GRAPHQL_WS}" >/dev/null && tar xzf graphql-ws-*.tgz)
pkg="$tmp/package"

# graphql-ws's ESM client is dist/client.js plus one hashed shared chunk. Rename both to carry
# the version and point the client's import at the renamed chunk; refuse anything unexpected
# rather than ship a client with a dangling import.
chunks=$(grep -o "from '\./[^']*'" "$pkg/dist/client.js" | sort -u | sed "s/from '\.\/\(.*\)'/\1/")
if [ "$(printf '%s\n' "$chunks" | wc -l)" -ne 1 ] || [ ! -f "$pkg/dist/$chunks" ]; then
  echo "refresh.sh: graphql-ws ${GRAPHQL_WS} dist/client.js imports: ${chunks:-nothing}" >&2
  echo "refresh.sh: expected exactly one local chunk; update this script" >&2
  exit 1
fi
if grep -q "^import .* from '[^.]" "$pkg/dist/client.js" "$pkg/dist/$chunks"; then
  echo "refresh.sh: graphql-ws ${GRAPHQL_WS} now imports a package; vendor it too" >&2
  exit 1
fi

rm -f graphql-ws-*.js graphql-ws-*.LICENSE.md
sed "s#from '\./${chunks}'#from './graphql-ws-${GRAPHQL_WS}-common.js'#" \
  "$pkg/dist/client.js" > "graphql-ws-${GRAPHQL_WS}.js"
cp "$pkg/dist/$chunks" "graphql-ws-${GRAPHQL_WS}-common.js"
cp "$pkg/LICENSE.md" "graphql-ws-${GRAPHQL_WS}.LICENSE.md"

sha256sum graphql-ws-*.js graphql-ws-*.LICENSE.md > SHA256SUMS
echo "vendored graphql-ws ${GRAPHQL_WS} into web/vendor/ (see SHA256SUMS)"
echo "if the version changed, update the import in web/js/live.js"
