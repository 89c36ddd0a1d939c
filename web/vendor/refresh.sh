#!/usr/bin/env bash
# Refresh the vendored browser libraries from the npm registry.
#
# The client has no build step and must never load code from a CDN (many compounds' networks
# cannot reach one), so each library is copied here with its version in the file name, and
# SHA256SUMS records exactly what was shipped (tests/web/test_static.py checks it).
#
# Usage: web/vendor/refresh.sh [graphql-ws-version]     (default: the version pinned below)
#        GRAPHIQL=4.1.2 REACT=18.3.1 web/vendor/refresh.sh   (the demo's GraphiQL page and its React)
#        AXE_CORE=4.14.1 web/vendor/refresh.sh   (the browser tests' accessibility checker)
#
# GraphiQL is served only in a demo (GONGZHI_DEMO) or with GONGZHI_DEBUG, at /graphiql/
# (web/graphiql/). Version 4 is the last with a UMD build (graphiql.min.js, which expects global
# React and ReactDOM, hence React 18's UMD files: React 19 ships none); its CSS carries its fonts
# and images as data: URLs, which that page's CSP allows (api/http/explorer.py).
#
# axe-core is vendored for the browser tests only: tests/web/axe.py injects it into each page
# they visit; no page of the client loads it (tests/web/test_static.py checks).
set -euo pipefail
cd "$(dirname "$0")"
GRAPHQL_WS="${1:-6.4.2}"
GRAPHIQL="${GRAPHIQL:-4.1.2}"
REACT="${REACT:-18.3.1}"
AXE_CORE="${AXE_CORE:-4.14.1}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
unpack() {  # unpack NAME VERSION -> $tmp/NAME/package
  mkdir -p "$tmp/$1"
  (cd "$tmp/$1" && npm pack --silent "$1@$2" >/dev/null && tar xzf ./*.tgz)
}
unpack graphql-ws "$GRAPHQL_WS"
pkg="$tmp/graphql-ws/package"

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

unpack graphiql "$GRAPHIQL"
unpack react "$REACT"
unpack react-dom "$REACT"
for f in "$tmp/graphiql/package/graphiql.min.js" "$tmp/react/package/umd/react.production.min.js" \
  "$tmp/react-dom/package/umd/react-dom.production.min.js"; do
  if [ ! -f "$f" ]; then
    echo "refresh.sh: ${f#"$tmp/"} is missing: no UMD build in this version; update this script" >&2
    exit 1
  fi
done
rm -f graphiql-*.js graphiql-*.css graphiql-*.LICENSE react-*.js react-*.LICENSE
cp "$tmp/graphiql/package/graphiql.min.js" "graphiql-${GRAPHIQL}.min.js"
cp "$tmp/graphiql/package/graphiql.min.css" "graphiql-${GRAPHIQL}.min.css"
cp "$tmp/graphiql/package/LICENSE" "graphiql-${GRAPHIQL}.LICENSE"
cp "$tmp/react/package/umd/react.production.min.js" "react-${REACT}.production.min.js"
cp "$tmp/react/package/LICENSE" "react-${REACT}.LICENSE"
cp "$tmp/react-dom/package/umd/react-dom.production.min.js" "react-dom-${REACT}.production.min.js"
cp "$tmp/react-dom/package/LICENSE" "react-dom-${REACT}.LICENSE"

# axe-core: the minified build and its licence (MPL-2.0), nothing else.
unpack axe-core "$AXE_CORE"
rm -f axe-core-*.min.js axe-core-*.LICENSE
cp "$tmp/axe-core/package/axe.min.js" "axe-core-${AXE_CORE}.min.js"
cp "$tmp/axe-core/package/LICENSE" "axe-core-${AXE_CORE}.LICENSE"

sha256sum graphql-ws-*.js graphql-ws-*.LICENSE.md graphiql-*.js graphiql-*.css graphiql-*.LICENSE \
  react-*.js react-*.LICENSE axe-core-*.min.js axe-core-*.LICENSE > SHA256SUMS
echo "vendored graphql-ws ${GRAPHQL_WS}, graphiql ${GRAPHIQL}, react ${REACT} and axe-core ${AXE_CORE}"
echo "if a version changed, update the import in web/js/live.js and the names in web/graphiql/"
