// Importance–performance grid: x = performance, y = importance, crosshair at the study's
// crosshair (the means by default), the four action quadrants labelled.
(function () {
  "use strict";
  var registry = (window.OpenXMAnalysis = window.OpenXMAnalysis || { charts: {} });

  registry.charts["ipa-grid"] = function (result, text, el) {
    var colors = registry.colors, fmt = registry.fmt, esc = registry.escape;
    var points = result.attributes.filter(function (a) { return !a.suppressed; });
    if (!points.length) { return null; }
    var ic = result.importance_crosshair, pc = result.performance_crosshair;
    var x = registry.niceRange(points.map(function (a) { return a.performance; }), pc);
    var y = registry.niceRange(points.map(function (a) { return a.importance; }), ic);
    var xr = [x.min, x.max], yr = [y.min, y.max];
    var area = function (x0, y0, x1, y1, label, position, fill) {
      return [
        { xAxis: x0, yAxis: y0, name: label, itemStyle: { color: fill },
          label: { position: position, color: colors.muted, fontWeight: 600, fontSize: 12 } },
        { xAxis: x1, yAxis: y1 }
      ];
    };
    return {
      grid: { left: 70, right: 40, top: 24, bottom: 64 },
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var a = p.data.attribute;
          return "<strong>" + esc(a.label) + "</strong><br>" + esc(a.action_label) + "<br>" +
            esc(text.importance) + " " + fmt(a.importance) + " · " + esc(text.performance) + " " + fmt(a.performance) +
            "<br>n = " + a.n_performance;
        }
      },
      xAxis: { type: "value", min: xr[0], max: xr[1], interval: x.interval, name: text.performance, nameLocation: "middle", nameGap: 36,
               splitLine: { lineStyle: { color: "#eef0f3" } } },
      yAxis: { type: "value", min: yr[0], max: yr[1], interval: y.interval, nameLocation: "middle", nameGap: 48,
               name: result.importance_kind === "derived" ? text.derived_importance : text.stated_importance,
               splitLine: { lineStyle: { color: "#eef0f3" } } },
      series: [{
        type: "scatter", symbolSize: 16,
        data: points.map(function (a) {
          return { name: a.label, value: [a.performance, a.importance], attribute: a,
                   label: { position: registry.labelSide(a.performance, xr[0], xr[1], a.label,
                                                         el.clientWidth - 110) },
                   itemStyle: { color: colors.quadrant[a.quadrant] || colors.accent, borderColor: "#fff", borderWidth: 1.5 } };
        }),
        label: { show: true, formatter: "{b}", position: "right", color: colors.ink, fontSize: 12 },
        labelLayout: { moveOverlap: "shiftY" },
        markLine: { silent: true, symbol: "none", label: { show: false },
                    lineStyle: { type: "dashed", color: "#98a2b3", width: 1.5 },
                    data: [{ xAxis: pc }, { yAxis: ic }] },
        markArea: {
          silent: true,
          data: [
            area(xr[0], ic, pc, yr[1], text.concentrate, "insideTopLeft", "rgba(240,68,56,0.06)"),
            area(pc, ic, xr[1], yr[1], text.keep_up, "insideTopRight", "rgba(18,183,106,0.06)"),
            area(xr[0], yr[0], pc, ic, text.low_priority, "insideBottomLeft", "rgba(152,162,179,0.08)"),
            area(pc, yr[0], xr[1], ic, text.overkill, "insideBottomRight", "rgba(247,144,9,0.06)")
          ]
        }
      }]
    };
  };
})();
