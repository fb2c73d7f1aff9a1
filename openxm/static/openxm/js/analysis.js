// Study pages: draws each [data-chart] element with the builder its method module registered,
// switches chart cards between chart and table view, and confirms deletions.
// Data come from <script type="application/json"> blocks (json_script): #study-data, #study-text.
(function () {
  "use strict";
  var registry = (window.OpenXMAnalysis = window.OpenXMAnalysis || { charts: {} });

  registry.colors = {
    accent: "#2457d6", muted: "#667085", line: "#d0d5dd", ink: "#1d2330",
    category: { A: "#12b76a", O: "#2457d6", M: "#f04438", I: "#98a2b3", R: "#7a5af8", Q: "#f79009" },
    dimension: { tangibles: "#7a5af8", reliability: "#2457d6", responsiveness: "#f04438",
                 assurance: "#12b76a", empathy: "#f79009" },
    quadrant: { "high/low": "#f04438", "high/high": "#12b76a", "low/low": "#98a2b3", "low/high": "#f79009" }
  };

  registry.fmt = function (value, digits) {
    if (value === null || value === undefined) { return "–"; }
    return Number(value).toFixed(digits === undefined ? 2 : digits);
  };

  registry.escape = function (value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  };

  // A custom series drawing interval whiskers; data rows are [category index, low, high] and,
  // optionally, a text drawn past the high end.
  registry.errorBars = function (name, rows, horizontal) {
    return {
      type: "custom", name: name, z: 10, silent: true, data: rows,
      encode: horizontal ? { x: [1, 2], y: 0 } : { x: 0, y: [1, 2] },
      renderItem: function (params, api) {
        var cat = api.value(0), low = api.value(1), high = api.value(2);
        var a = api.coord(horizontal ? [low, cat] : [cat, low]);
        var b = api.coord(horizontal ? [high, cat] : [cat, high]);
        var band = api.size(horizontal ? [0, 1] : [1, 0])[horizontal ? 1 : 0];
        var half = Math.max(3, band * 0.12);
        var style = { stroke: "#344054", lineWidth: 1.5 };
        var lines = horizontal
          ? [[a[0], a[1], b[0], b[1]], [a[0], a[1] - half, a[0], a[1] + half], [b[0], b[1] - half, b[0], b[1] + half]]
          : [[a[0], a[1], b[0], b[1]], [a[0] - half, a[1], a[0] + half, a[1]], [b[0] - half, b[1], b[0] + half, b[1]]];
        var children = lines.map(function (l) {
          return { type: "line", shape: { x1: l[0], y1: l[1], x2: l[2], y2: l[3] }, style: style };
        });
        var label = rows[params.dataIndex] && rows[params.dataIndex][3];
        if (label && horizontal) {
          children.push({ type: "text", style: { text: label, x: b[0] + 8, y: b[1], verticalAlign: "middle",
                                                 fill: "#1d2330", font: "600 12px sans-serif" } });
        }
        return { type: "group", children: children };
      }
    };
  };

  // A padded axis range on round steps around ``values`` (and ``extra``): {min, max, interval}.
  registry.niceRange = function (values, extra) {
    var all = values.concat(extra === undefined ? [] : [extra]);
    var min = Math.min.apply(null, all), max = Math.max.apply(null, all);
    var span = Math.max(max - min, 0.1);
    var raw = span / 4, power = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 2.5, 5, 10].map(function (m) { return m * power; })
      .filter(function (x) { return x >= raw; })[0];
    var low = Math.floor((min - span * 0.08) / step) * step;
    var high = Math.ceil((max + span * 0.08) / step) * step;
    return { min: Number(low.toFixed(6)), max: Number(high.toFixed(6)), interval: step };
  };

  // A point's label goes to its right when it fits there (``plotWidth`` pixels span min..max),
  // else to its left, so labels are not cut off at the chart's edge.
  registry.labelSide = function (x, min, max, label, plotWidth) {
    var room = (max - x) / (max - min) * plotWidth;
    var width = 0;
    Array.prototype.forEach.call(String(label), function (ch) { width += ch > "\u2e80" ? 12.5 : 6.8; });
    return width + 16 < room ? "right" : "left";
  };

  registry.baseTextStyle = {
    fontFamily: 'system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif'
  };

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function drawCharts(data, text) {
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var build = registry.charts[el.dataset.chart];
      if (!build || !window.echarts || !data || !data.result) {
        el.hidden = true;
        return;
      }
      var option = build(data.result, text, el);
      if (!option) {
        el.hidden = true;
        return;
      }
      option.textStyle = option.textStyle || registry.baseTextStyle;
      option.animationDuration = 400;
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option);
      el.openxmChart = chart;
      charts.push(chart);
    });
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 100);
    });
  }

  function bindViewSwitches() {
    document.querySelectorAll("[data-view]").forEach(function (card) {
      var chartEl = card.querySelector("[data-chart]");
      var tableEl = card.querySelector("[data-table]");
      var buttons = card.querySelectorAll("[data-show]");
      if (!chartEl || chartEl.hidden || !tableEl) { return; }
      function show(which) {
        chartEl.hidden = which !== "chart";
        tableEl.hidden = which !== "table";
        buttons.forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.show === which)); });
        if (which === "chart" && chartEl.openxmChart) { chartEl.openxmChart.resize(); }
      }
      buttons.forEach(function (b) {
        b.hidden = false;
        b.addEventListener("click", function () { show(b.dataset.show); });
      });
      show("chart");
    });
  }

  function bindConfirms() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
      });
    });
  }

  function init() {
    drawCharts(readJSON("study-data"), readJSON("study-text") || {});
    bindViewSwitches();
    bindConfirms();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
