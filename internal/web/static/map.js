// The province map: draws the provinces of du-lieu.json with Leaflet,
// coloured by the classes the server chose, with a legend. The page shows
// the same classes as a grid without this script; the map only adds the
// shapes. No tiles are loaded: nothing leaves this site.
(function () {
  "use strict";
  var el = document.getElementById("ban-do");
  if (!el || !window.L || !window.fetch) return;

  function text(tag, cls, s) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (s) n.textContent = s;
    return n;
  }

  function legend(data) {
    var c = L.control({ position: "topright" });
    c.onAdd = function () {
      var div = text("div", "map-legend");
      div.appendChild(text("strong", "", data.indicator.name));
      data.legend.forEach(function (cl) {
        var row = text("div");
        var sw = text("span", "swatch " + cl["class"]);
        sw.setAttribute("aria-hidden", "true");
        row.appendChild(sw);
        row.appendChild(text("span", "", cl.label));
        div.appendChild(row);
      });
      return div;
    };
    return c;
  }

  function draw(data) {
    if (!data.features || !data.features.length) return;
    el.hidden = false;
    el.setAttribute("role", "region");
    el.setAttribute("aria-label", "Bản đồ: " + data.indicator.name + ", năm " + data.year + ". Số liệu từng tỉnh có ở lưới bên dưới.");
    var map = L.map(el, { attributionControl: false, zoomControl: false, zoomSnap: 0.25, minZoom: 4, maxZoom: 11 });
    // Leaflet names its buttons in English; a screen reader reads them
    // with the page's Vietnamese voice.
    L.control.zoom({ zoomInTitle: "Phóng to", zoomOutTitle: "Thu nhỏ" }).addTo(map);
    var layer = L.geoJSON(data, {
      style: function (f) {
        var none = f.properties.value === null;
        return { color: "#555", weight: 0.8, fillColor: f.properties.fill, fillOpacity: none ? 0.5 : 0.9, dashArray: none ? "3" : null };
      },
      onEachFeature: function (f, l) {
        var p = f.properties;
        // Text nodes, never markup: names and notes come from data.
        var tip = text("span");
        tip.appendChild(text("strong", "", p.name));
        tip.appendChild(document.createElement("br"));
        tip.appendChild(document.createTextNode(p.text));
        if (p.note && p.value === null) {
          tip.appendChild(document.createElement("br"));
          tip.appendChild(document.createTextNode(p.note));
        }
        l.bindTooltip(tip, { sticky: true });
        // Leaflet points the shape at its tooltip when it opens but leaves
        // the reference behind when the tooltip leaves the page.
        l.on("tooltipclose", function () {
          var shape = l.getElement();
          if (shape) shape.removeAttribute("aria-describedby");
        });
        l.on("mouseover", function () { l.setStyle({ weight: 2.5, color: "#000" }); });
        l.on("mouseout", function () { layer.resetStyle(l); });
      }
    }).addTo(map);
    legend(data).addTo(map);
    // A province's officer starts on their province; the country is a
    // zoom away.
    var bounds = null;
    layer.eachLayer(function (l) {
      if (data.focus.indexOf(l.feature.properties.code) < 0) return;
      bounds = bounds ? bounds.extend(l.getBounds()) : L.latLngBounds(l.getBounds().getSouthWest(), l.getBounds().getNorthEast());
    });
    map.fitBounds(bounds || layer.getBounds(), { padding: [8, 8] });
  }

  fetch(el.getAttribute("data-src"), { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(draw)
    .catch(function () {
      // The grid below carries the figures; the map is left out.
      el.hidden = true;
    });
})();
