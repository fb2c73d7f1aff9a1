// KANO Better–Worse diagram: x = |Worse| (dissatisfaction when the feature is absent),
// y = Better (satisfaction when present), quadrant lines at 0.5, points coloured by category.
(function () {
  "use strict";
  var registry = (window.OpenXMAnalysis = window.OpenXMAnalysis || { charts: {} });

  registry.charts["kano-better-worse"] = function (result, text, el) {
    var colors = registry.colors;
    var fmt = registry.fmt;
    var esc = registry.escape;
    var points = result.features.filter(function (f) { return !f.suppressed && f.better !== null; });
    if (!points.length) { return null; }
    var quadrant = function (x0, y0, x1, y1, label, position, fill) {
      return [
        { xAxis: x0, yAxis: y0, name: label, itemStyle: { color: fill },
          label: { position: position, color: colors.muted, fontWeight: 600, fontSize: 12 } },
        { xAxis: x1, yAxis: y1 }
      ];
    };
    return {
      grid: { left: 64, right: 40, top: 24, bottom: 64 },
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var f = p.data.feature;
          return "<strong>" + esc(f.label) + "</strong><br>" + esc(f.category_label || "") +
            "<br>Better " + fmt(f.better) + " · Worse " + fmt(f.worse) + "<br>n = " + f.n;
        }
      },
      xAxis: {
        type: "value", min: 0, max: 1, interval: 0.25, name: text.worse, nameLocation: "middle", nameGap: 36,
        splitLine: { lineStyle: { color: "#eef0f3" } }
      },
      yAxis: {
        type: "value", min: 0, max: 1, interval: 0.25, name: text.better, nameLocation: "middle", nameGap: 44,
        splitLine: { lineStyle: { color: "#eef0f3" } }
      },
      series: [{
        type: "scatter",
        symbolSize: function (value, p) {
          var imp = p.data.feature.importance_mean;
          return imp ? 10 + imp * 3 : 16;
        },
        data: points.map(function (f) {
          return {
            name: f.label, value: [-f.worse, f.better], feature: f,
            label: { position: registry.labelSide(-f.worse, 0, 1, f.label, el.clientWidth - 104) },
            itemStyle: { color: colors.category[f.category] || colors.accent, borderColor: "#fff", borderWidth: 1.5 }
          };
        }),
        label: { show: true, formatter: "{b}", position: "right", color: colors.ink, fontSize: 12 },
        labelLayout: { moveOverlap: "shiftY" },
        markLine: {
          silent: true, symbol: "none", label: { show: false },
          lineStyle: { type: "dashed", color: "#98a2b3", width: 1.5 },
          data: [{ xAxis: 0.5 }, { yAxis: 0.5 }]
        },
        markArea: {
          silent: true,
          data: [
            quadrant(0, 0.5, 0.5, 1, text.attractive, "insideTopLeft", "rgba(18,183,106,0.06)"),
            quadrant(0.5, 0.5, 1, 1, text.one_dimensional, "insideTopRight", "rgba(36,87,214,0.06)"),
            quadrant(0.5, 0, 1, 0.5, text.must_be, "insideBottomRight", "rgba(240,68,56,0.06)"),
            quadrant(0, 0, 0.5, 0.5, text.indifferent, "insideBottomLeft", "rgba(152,162,179,0.08)")
          ]
        }
      }]
    };
  };

})();
