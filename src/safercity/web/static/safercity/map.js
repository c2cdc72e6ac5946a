// The hotspot map: Leaflet draws the chosen layer's squares over the boundaries and names of
// the places they fall in (local authorities, wards when loaded, LSOAs), all sent with the page
// (as JSON in a <template>: HTMX drops <script> elements from what it swaps in), so no tile
// server is needed; tiles are added only when one is configured. The map is drawn again whenever HTMX swaps in new results (a filter change).
// The holder has no id: HTMX "settles" the attributes of an element whose id is in both the old
// and the new content, which would copy Leaflet's style attribute (refused by the CSP).
(function () {
  "use strict";
  var map = null;

  var STYLES = {
    lsoa: { color: "#b1b4b6", weight: 1, fillColor: "#ffffff", fillOpacity: 1 },
    ward: { color: "#505a5f", weight: 2, fill: false },
    local_authority: { color: "#0b0c0c", weight: 3, fill: false }
  };
  // names shown from this zoom level on (always for local authorities)
  var LABEL_ZOOM = { local_authority: 0, ward: 12, lsoa: 15 };

  function forget() {
    if (map) {
      map.remove();
      map = null;
    }
  }

  // a square's tooltip: [south, west, north, east, colour, band, incidents, density]
  function tip(config, c) {
    var incidents = c[6].toLocaleString("en-GB") + (c[6] === 1 ? " incident" : " incidents");
    if (config.layer === "density") {
      return c[7].toLocaleString("en-GB") + " incidents per km² (kernel density); " + incidents;
    }
    if (config.layer === "gi") {
      return config.classes[String(c[5])] + " (" + incidents + " in the square)";
    }
    return incidents;
  }

  function draw() {
    var holder = document.querySelector("[data-hotspot-map]");
    var source = document.querySelector("template[data-hotspot-map-data]");
    if (!holder || !source || typeof L === "undefined") { return; }
    if (map && map.getContainer() === holder) { return; }
    forget();
    var config = JSON.parse(source.content.textContent);
    holder.hidden = false;
    map = L.map(holder, {
      scrollWheelZoom: false, zoomSnap: 0.25, preferCanvas: true,
      attributionControl: Boolean(config.tiles)
    });
    map.createPane("boundaries").style.zIndex = 350;  // under the squares (overlay pane, 400)
    if (config.tiles) {
      L.tileLayer(config.tiles, { maxZoom: 19, attribution: config.attribution || "" }).addTo(map);
    }
    var bounds = L.latLngBounds([]);
    var labels = { local_authority: [], ward: [], lsoa: [] };
    ["lsoa", "ward", "local_authority"].forEach(function (kind) {
      var features = config.boundaries.features.filter(function (f) {
        return f.properties.area_type === kind;
      });
      if (!features.length) { return; }
      var layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
        pane: "boundaries", style: STYLES[kind], interactive: kind === "lsoa"
      });
      if (kind === "lsoa") {
        layer.bindTooltip(function (l) { return l.feature.properties.name; }, { sticky: true });
      }
      layer.addTo(map);
      bounds.extend(layer.getBounds());
      features.forEach(function (f) {
        var p = f.properties.label;
        labels[kind].push(L.tooltip({
          permanent: true, direction: "center", interactive: false,
          className: "app-map__name app-map__name--" + kind
        }).setLatLng([p[1], p[0]]).setContent(f.properties.name));
      });
    });
    var squares = L.featureGroup();
    config.cells.forEach(function (c) {
      L.rectangle([[c[0], c[1]], [c[2], c[3]]], {
        stroke: false, fillColor: c[4], fillOpacity: 0.8
      }).bindTooltip(tip(config, c)).addTo(squares);
    });
    squares.addTo(map);
    if (!bounds.isValid() && config.cells.length) { bounds = squares.getBounds(); }

    function showNames() {
      var zoom = map.getZoom();
      Object.keys(labels).forEach(function (kind) {
        labels[kind].forEach(function (t) {
          if (zoom >= LABEL_ZOOM[kind]) { t.addTo(map); } else { t.remove(); }
        });
      });
    }
    map.on("zoomend", showNames);
    if (bounds.isValid()) { map.fitBounds(bounds); } else { map.setView([54.5, -2.5], 6); }
    showNames();
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:beforeSwap", forget);
  document.addEventListener("htmx:afterSettle", draw);
})();
