#!/usr/bin/env bash
# Builds the front-end static files from the npm packages (govuk-frontend, HTMX, Leaflet) into
# src/safercity/web/static/vendor/. Nothing built here is committed. axe-core is a test tool (an
# npm devDependency): the browser tests read it from node_modules/axe-core, and it is never
# copied into the static files the product serves.
# SaferCity is not on GOV.UK: govuk-frontend's Sass is compiled with Arial/Helvetica (no GDS
# Transport font), and no crown or GOV.UK logotype is copied.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
out=src/safercity/web/static/vendor
rm -rf "$out"; mkdir -p "$out/govuk" "$out/htmx" "$out/leaflet"
gf=node_modules/govuk-frontend/dist/govuk
node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps --silence-deprecation=import \
  --load-path=node_modules src/safercity/web/static_src/safercity.scss "$out/govuk/safercity.css"
cp "$gf/govuk-frontend.min.js" "$out/govuk/"
mkdir -p "$out/govuk/assets"
cp -r "$gf/assets/images" "$out/govuk/assets/images"
cp "$gf/assets/manifest.json" "$out/govuk/assets/" 2>/dev/null || true
# Not hosted on GOV.UK: no GDS Transport font, no crown.
rm -rf "$out/govuk/assets/fonts" "$out/govuk/assets/images/govuk-crest"* 2>/dev/null || true
cp node_modules/htmx.org/dist/htmx.min.js "$out/htmx/"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$out/leaflet/"
cp -r node_modules/leaflet/dist/images "$out/leaflet/images"
