/* The land registry map: base layers, then the parcels of the view, fetched as it moves.
 *
 * No online base tiles (agencies' networks may be closed): the background is plain and the
 * base layers (commune boundaries, roads, …) are GeoJSON from /api/registries/land/layers.
 * Below the page's min-feature zoom the API answers one point per commune (with its count);
 * from it on, the parcels' shapes, capped: the status line says when to zoom in.
 * Every word shown comes from the page (#land-map-strings), translated by Django.
 */
(function () {
  "use strict";

  var el = document.getElementById("land-map");
  if (!el || !window.L) {
    return;
  }
  var d = el.dataset;
  var text = JSON.parse(document.getElementById("land-map-strings").textContent);
  var useNames = JSON.parse(document.getElementById("land-use-names").textContent);
  var statusEl = document.getElementById("land-map-status");
  var colors = { NNP: "#4caf50", PNN: "#f08c3c", CSD: "#9e9e9e" };

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function number(value, digits) {
    return Number(value).toLocaleString("vi-VN", { maximumFractionDigits: digits || 0 });
  }

  function status(message) {
    if (statusEl) {
      statusEl.textContent = message;
    }
  }

  // Canvas draws 2,000 polygons far faster than SVG.
  var map = L.map(el, { preferCanvas: true, attributionControl: false, minZoom: 5, maxZoom: 21 });
  // Reachable for scripts and browser tests (document.getElementById("land-map").landMap).
  el.landMap = map;
  var bounds = JSON.parse(d.bounds);
  map.fitBounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]]);
  var control = L.control.layers(null, null, { collapsed: true }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);

  // --- Base layers ---------------------------------------------------------------------
  fetch(d.layersUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.ok ? r.json() : []; })
    .then(function (layers) {
      layers.forEach(function (layer) {
        fetch(layer.url, { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (data) {
            var drawn = L.geoJSON(data, {
              interactive: false,
              style: function () {
                return { color: layer.color, weight: 2, fill: false, dashArray: "6 4" };
              },
              pointToLayer: function (_f, latlng) {
                return L.circleMarker(latlng, { radius: 4, color: layer.color });
              },
            });
            control.addOverlay(drawn, layer.name);
            if (layer.shown_by_default) {
              drawn.addTo(map);
              drawn.bringToBack();
            }
          });
      });
    });

  // --- Parcels -------------------------------------------------------------------------
  var parcels = L.geoJSON(null, {
    style: function (feature) {
      return {
        color: "#333",
        weight: 0.6,
        fillColor: colors[feature.properties.group] || "#777",
        fillOpacity: 0.45,
      };
    },
    onEachFeature: function (feature, layer) {
      layer.on("click", function () { openPopup(feature, layer); });
    },
  }).addTo(map);
  var communes = L.layerGroup().addTo(map);
  control.addOverlay(parcels, text.parcels_layer);

  function row(dl, label, value) {
    var dt = document.createElement("dt");
    dt.textContent = label;
    var dd = document.createElement("dd");
    dd.textContent = value;
    dl.appendChild(dt);
    dl.appendChild(dd);
    return dd;
  }

  function openPopup(feature, layer) {
    var p = feature.properties;
    var box = document.createElement("div");
    box.className = "land-popup";
    var title = document.createElement("strong");
    title.textContent = fmt(text.parcel_title, { number: p.number, sheet: p.sheet });
    box.appendChild(title);
    var dl = document.createElement("dl");
    dl.className = "mb-1";
    box.appendChild(dl);
    var communeCell = row(dl, text.commune, p.commune);
    row(dl, text.area, number(p.area, 1) + " m²");
    row(dl, text.land_use, p.land_use.split("+").map(function (c) {
      return c + " — " + (useNames[c] || "");
    }).join("; "));
    var ownersCell = row(dl, text.owners, "…");
    var certCell = row(dl, text.certificate, "…");
    var link = document.createElement("a");
    link.href = d.detailUrl.replace(/0\/$/, p.id + "/");
    link.textContent = text.details;
    box.appendChild(link);
    layer.bindPopup(box, { maxWidth: 320 }).openPopup();
    // Owners and certificate come from the parcel's API record (not in every map feature).
    fetch(d.parcelApiUrl.replace(/0$/, p.id), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) {
          ownersCell.textContent = certCell.textContent = text.none;
          return;
        }
        communeCell.textContent = data.commune_name || p.commune;
        ownersCell.textContent = (data.owners || []).map(function (o) {
          return o.id ? o.name + " (" + o.id + ")" : o.name;
        }).join("; ") || text.none;
        certCell.textContent = data.certificate_number || text.none;
      });
  }

  function drawCommunes(data) {
    data.features.forEach(function (f) {
      var p = f.properties;
      var c = f.geometry.coordinates;
      var marker = L.marker([c[1], c[0]], {
        icon: L.divIcon({
          className: "",
          html: '<span class="land-commune-count">' + number(p.count) + "</span>",
        }),
        title: fmt(text.commune_tip, { name: p.name, n: number(p.count) }),
        keyboard: true,
      });
      marker.bindTooltip(fmt(text.commune_tip, { name: p.name, n: number(p.count) }));
      marker.on("click", function () {
        map.fitBounds([[p.bbox[1], p.bbox[0]], [p.bbox[3], p.bbox[2]]]);
      });
      communes.addLayer(marker);
    });
  }

  var pending = null;
  var timer = null;

  function load() {
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    var b = map.getBounds();
    var params = new URLSearchParams({
      bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) {
        return v.toFixed(6);
      }).join(","),
      zoom: String(map.getZoom()),
    });
    if (d.landUse) {
      params.set("land_use", d.landUse);
    }
    status(text.loading);
    fetch(d.featuresUrl + "?" + params.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/geo+json" },
      signal: pending.signal,
    })
      .then(function (r) {
        if (!r.ok) {
          throw new Error(String(r.status));
        }
        return r.json();
      })
      .then(function (data) {
        parcels.clearLayers();
        communes.clearLayers();
        if (data.meta.mode === "communes") {
          drawCommunes(data);
          status(text.communes);
          el.dataset.loaded = data.meta.mode + ":" + data.meta.count;
          return;
        }
        parcels.addData(data);
        status(fmt(data.meta.truncated ? text.truncated : text.parcels, {
          n: number(data.meta.count),
        }));
        el.dataset.loaded = data.meta.mode + ":" + data.meta.count;
      })
      .catch(function (error) {
        if (error.name !== "AbortError") {
          status(text.error);
        }
      });
  }

  map.on("moveend", function () {
    clearTimeout(timer);
    timer = setTimeout(load, 150);
  });
  load();
})();
