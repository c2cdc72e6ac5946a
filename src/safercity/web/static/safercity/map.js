// The hotspot map: Leaflet over the gridded surface and the loaded boundaries.
// With no tile server configured it still shows the boundaries and the surface.
(function () {
  "use strict";
  var COLOURS = ["#ffffff", "#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"];
  var map = null;

  function draw() {
    var holder = document.getElementById("hotspot-map");
    var source = document.getElementById("map-config");
    if (!holder || !source || typeof L === "undefined") { return; }
    var config = JSON.parse(source.textContent);
    if (map) { map.remove(); map = null; }
    holder.hidden = false;
    map = L.map(holder, { scrollWheelZoom: false, zoomSnap: 0.25 });
    if (config.tiles) {
      L.tileLayer(config.tiles, { maxZoom: 19, attribution: config.attribution || "" }).addTo(map);
    }
    var bounds = L.latLngBounds([]);
    config.cells.forEach(function (c) {
      var rect = L.rectangle([[c.south, c.west], [c.north, c.east]], {
        stroke: false, fillColor: COLOURS[c.band], fillOpacity: 0.75
      }).bindTooltip(c.count + " incidents");
      rect.addTo(map);
      bounds.extend(rect.getBounds());
    });
    if (config.boundaries && config.boundaries.features.length) {
      var layer = L.geoJSON(config.boundaries, {
        style: { color: "#0b0c0c", weight: 2, fill: false }
      }).bindTooltip(function (l) { return l.feature.properties.name; });
      layer.addTo(map);
      bounds.extend(layer.getBounds());
    }
    if (bounds.isValid()) { map.fitBounds(bounds); } else { map.setView([51.5, -0.13], 13); }
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
