#!/usr/bin/env bash
# Builds the front-end static files from the npm packages (govuk-frontend, HTMX, Leaflet, axe-core)
# into src/safercity/web/static/vendor/. Nothing built here is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
out=src/safercity/web/static/vendor
rm -rf "$out"; mkdir -p "$out/govuk" "$out/htmx" "$out/leaflet" "$out/axe"
gf=node_modules/govuk-frontend/dist/govuk
cp "$gf/govuk-frontend.min.css" "$gf/govuk-frontend.min.js" "$out/govuk/"
cp -r "$gf/assets" "$out/govuk/assets"
# Not hosted on GOV.UK: no GDS Transport font, no crown.
rm -rf "$out/govuk/assets/fonts" "$out/govuk/assets/images/govuk-crest"* 2>/dev/null || true
cp node_modules/htmx.org/dist/htmx.min.js "$out/htmx/"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$out/leaflet/"
cp -r node_modules/leaflet/dist/images "$out/leaflet/images"
cp node_modules/axe-core/axe.min.js "$out/axe/"
