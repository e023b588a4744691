#!/usr/bin/env bash
# Vendor the front-end libraries from npm into src/lienthong/static/vendor/ (no CDN at run
# time: agencies' networks may be closed). Run it again after changing a version below, then
# update the paths in src/lienthong/templates/base.html and commit the result.
#
#   scripts/vendor-assets.sh            # the pinned versions
#   BOOTSTRAP_VERSION=5.3.9 scripts/vendor-assets.sh
set -euo pipefail

BOOTSTRAP_VERSION="${BOOTSTRAP_VERSION:-5.3.9}"
HTMX_VERSION="${HTMX_VERSION:-2.0.11}"
# The portal's charts (src/lienthong/portal/templates/portal/statistics.html) and, for the
# browser tests only (not shipped in static), the accessibility checker.
ECHARTS_VERSION="${ECHARTS_VERSION:-5.6.0}"
AXE_CORE_VERSION="${AXE_CORE_VERSION:-4.14.1}"

root="$(cd "$(dirname "$0")/.." && pwd)"
vendor="$root/src/lienthong/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

npm install --prefix "$work" --no-audit --no-fund --no-save --ignore-scripts \
  "bootstrap@$BOOTSTRAP_VERSION" "htmx.org@$HTMX_VERSION" \
  "echarts@$ECHARTS_VERSION" "axe-core@$AXE_CORE_VERSION" >/dev/null
modules="$work/node_modules"

# Copy one file and drop its sourceMappingURL comment: the .map files are not shipped, and
# Django's manifest storage (collectstatic) fails on a reference to a missing file.
copy() {
  local src="$1" dest="$2"
  mkdir -p "$(dirname "$dest")"
  sed -e '/^\/\*# sourceMappingURL=.*\*\/$/d' -e '/^\/\/# sourceMappingURL=.*$/d' "$src" >"$dest"
}

bootstrap="$vendor/bootstrap-$BOOTSTRAP_VERSION"
rm -rf "$vendor"/bootstrap-* "$vendor"/htmx.org-*
copy "$modules/bootstrap/dist/css/bootstrap.min.css" "$bootstrap/css/bootstrap.min.css"
copy "$modules/bootstrap/dist/js/bootstrap.bundle.min.js" "$bootstrap/js/bootstrap.bundle.min.js"
cp "$modules/bootstrap/LICENSE" "$bootstrap/LICENSE"

htmx="$vendor/htmx.org-$HTMX_VERSION"
copy "$modules/htmx.org/dist/htmx.min.js" "$htmx/htmx.min.js"
cp "$modules/htmx.org/LICENSE" "$htmx/LICENSE"

echarts="$vendor/echarts-$ECHARTS_VERSION"
rm -rf "$vendor"/echarts-*
copy "$modules/echarts/dist/echarts.min.js" "$echarts/echarts.min.js"
cp "$modules/echarts/LICENSE" "$echarts/LICENSE"

axe="$root/tests/browser/vendor/axe-core-$AXE_CORE_VERSION"
rm -rf "$root"/tests/browser/vendor/axe-core-*
copy "$modules/axe-core/axe.min.js" "$axe/axe.min.js"
cp "$modules/axe-core/LICENSE" "$axe/LICENSE"
echo "Vendored echarts $ECHARTS_VERSION and axe-core $AXE_CORE_VERSION (tests only)"

echo "Vendored bootstrap $BOOTSTRAP_VERSION and htmx.org $HTMX_VERSION into $vendor"
