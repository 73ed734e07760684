/* The cockpit's charts (ECharts) and map (Leaflet). Data comes from the page's JSON block and the
   node's map.json; no inline script or style, so the Content-Security-Policy needs no exception. */
(function () {
  "use strict";

  function data() {
    var el = document.getElementById("cockpit-data");
    return el ? JSON.parse(el.textContent) : null;
  }

  var COLOURS = ["#b4232a", "#2f6f9f", "#d98e04", "#3d8b5a", "#6b4c9a", "#8c564b", "#7f7f7f"];
  var charts = [];

  function chart(name, option) {
    var el = document.querySelector('[data-chart="' + name + '"]');
    if (!el || !window.echarts) return;
    var c = window.echarts.init(el, null, { renderer: "canvas" });
    option.color = COLOURS;
    option.animation = false;
    option.tooltip = Object.assign({ renderMode: "richText" }, option.tooltip || {});
    option.grid = Object.assign({ left: 44, right: 12, top: 36, bottom: 40, containLabel: true }, option.grid || {});
    option.legend = Object.assign({ top: 0, type: "scroll" }, option.legend || {});
    c.setOption(option);
    charts.push(c);
  }

  function drawCharts(d) {
    if (d.categories.length) {
      chart("categories", {
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: d.months },
        yAxis: { type: "value", name: "件", minInterval: 1 },
        series: d.categories.map(function (c) { return { name: c.name, type: "bar", stack: "categories", data: c.data }; })
      });
    }
    chart("cases", {
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: d.months },
      yAxis: { type: "value", name: "件", minInterval: 1 },
      series: d.tiers.map(function (t) { return { name: t.name, type: "bar", stack: "cases", data: t.data }; })
    });
    chart("rates", {
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: d.months },
      yAxis: { type: "value", name: "%", min: 0, max: 100 },
      series: [
        { name: "按时响应率", type: "line", data: d.arrive_pct, connectNulls: true },
        { name: "按时办结率", type: "line", data: d.solve_pct, connectNulls: true },
        { name: "满意率", type: "line", data: d.satisfaction_pct, connectNulls: true }
      ]
    });
    if (d.children.length) {
      var names = d.children.map(function (c) { return c.name; });
      chart("coverage", {
        tooltip: { trigger: "axis" },
        grid: { left: 8 },
        xAxis: { type: "value", min: 0, max: 100, name: "%" },
        yAxis: { type: "category", data: names, inverse: true },
        series: [
          { name: "党组织覆盖率", type: "bar", data: d.children.map(function (c) { return c.values.party_coverage; }) },
          { name: "物业服务覆盖率", type: "bar", data: d.children.map(function (c) { return c.values.property_coverage; }) }
        ]
      });
      var box = document.querySelector('[data-chart="coverage"]');
      if (box) box.classList.add("rows-" + Math.min(d.children.length, 30));
    }
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
    window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  // A sequential red scale: light for the smallest value, dark for the largest.
  function shade(value, min, max) {
    if (value === null || value === undefined) return "#bbbbbb";
    var t = max > min ? (value - min) / (max - min) : 0.5;
    var light = [252, 228, 214], dark = [165, 15, 21];
    var rgb = light.map(function (l, i) { return Math.round(l + (dark[i] - l) * t); });
    return "rgb(" + rgb.join(",") + ")";
  }

  function drawMap(d) {
    var el = document.getElementById("cockpit-map");
    if (!el || !window.L) return;
    var map = window.L.map(el, { attributionControl: false, zoomSnap: 0.25 });
    var byChild = {};
    (d ? d.children : []).forEach(function (c) { byChild[c.kind + ":" + c.id] = c; });
    var select = document.getElementById("map-colour");

    fetch(el.dataset.url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (geo) {
      var layers = { outline: window.L.featureGroup(), compound: window.L.featureGroup(),
                     party: window.L.featureGroup(), cases: window.L.featureGroup(), station: window.L.featureGroup() };
      var outlines = [], points = [];
      geo.features.forEach(function (f) {
        var p = f.properties;
        if (p.layer === "outline") {
          var shape = window.L.geoJSON(f, { style: { color: "#7a1c1c", weight: 2, fillOpacity: 0.45 } });
          var child = byChild["unit:" + p.id];
          shape.bindTooltip(p.name);
          if (child) shape.on("click", function () { window.location.href = child.url; });
          shape.addTo(layers.outline);
          outlines.push({ shape: shape, child: child });
        } else {
          var ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
          var url = "/cockpit/compounds/" + p.id + "/";
          var marker;
          if (p.layer === "compound") {
            marker = window.L.circleMarker(ll, { radius: 9, color: "#1f3d5a", weight: 2, fillColor: "#2f6f9f", fillOpacity: 0.9,
              className: "compound-marker compound-" + p.id });
            marker.bindTooltip(p.name);
            marker.on("click", function () { window.location.href = url; });
            points.push({ shape: marker, child: byChild["compound:" + p.id] });
          } else if (p.layer === "party") {
            marker = window.L.circleMarker(ll, { radius: 4, color: "#b4232a", weight: 1, fillColor: "#ffd54a", fillOpacity: 1 });
            marker.bindTooltip(p.name + "（覆盖 " + p.compounds + " 个小区）");
          } else if (p.layer === "station") {
            marker = window.L.circleMarker(ll, { radius: 5, color: "#14532d", weight: 2, fillColor: "#4ade80", fillOpacity: 1 });
            marker.bindTooltip(p.name + "（" + p.kind_label + "）");
          } else {
            marker = window.L.circleMarker(ll, { radius: 4 + Math.min(p.open_cases, 12), color: "#d98e04", weight: 1, fillOpacity: 0.35 });
            marker.bindTooltip(p.name + "：未办结诉求 " + p.open_cases + " 件");
            marker.on("click", function () { window.location.href = url; });
          }
          marker.addTo(layers[p.layer]);
        }
      });

      // Colour the children (outlines of streets or communities, or the compounds of a community) by the figure chosen.
      function paint(items, key, fallback) {
        var values = items.map(function (o) { return o.child && key ? o.child.values[key] : null; })
          .filter(function (v) { return v !== null && v !== undefined; });
        var min = Math.min.apply(null, values), max = Math.max.apply(null, values);
        items.forEach(function (o) {
          var v = o.child && key ? o.child.values[key] : null;
          o.shape.setStyle({ fillColor: o.child && key ? shade(v, min, max) : fallback });
        });
      }
      function colour() {
        var key = select ? select.value : null;
        paint(outlines, key, "#f3e9e0");
        paint(points, key, "#2f6f9f");
      }
      colour();
      if (select) select.addEventListener("change", colour);

      layers.outline.addTo(map);
      layers.compound.addTo(map);
      layers.cases.addTo(map);
      layers.party.addTo(map);
      layers.station.addTo(map);
      window.L.control.layers(null, { "边界": layers.outline, "小区": layers.compound,
        "党组织": layers.party, "党群服务站": layers.station, "未办结诉求": layers.cases }, { collapsed: window.innerWidth < 700 }).addTo(map);
      var all = window.L.featureGroup([layers.outline, layers.compound]);
      var bounds = all.getBounds();
      // Room at the edges so no point sits under the zoom buttons or the layer switch.
      if (bounds.isValid()) map.fitBounds(bounds, { paddingTopLeft: [48, 48], paddingBottomRight: [48, 24] }); else map.setView([30, 104], 4);
      el.dataset.ready = "1";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var d = data();
    if (d) drawCharts(d);
    drawMap(d);
  });
})();
