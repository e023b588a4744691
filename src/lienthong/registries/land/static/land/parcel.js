/* The small map of a parcel's page: its shape on a plain background (no online tiles). */
(function () {
  "use strict";
  var el = document.getElementById("parcel-map");
  var data = document.getElementById("parcel-shape");
  if (!el || !data || !window.L) {
    return;
  }
  var shape = JSON.parse(JSON.parse(data.textContent));
  var map = L.map(el, { attributionControl: false, zoomControl: true });
  var layer = L.geoJSON(shape, {
    style: { color: "#c2410c", weight: 2, fillColor: "#f08c3c", fillOpacity: 0.4 },
  }).addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 20 });
  L.control.scale({ imperial: false }).addTo(map);
})();
