// Key drivers: each driver's share of R² (%) as a horizontal bar, strongest first, with the
// bootstrap percentile interval as whiskers when the study asked for one.
(function () {
  "use strict";
  var registry = (window.OpenXMAnalysis = window.OpenXMAnalysis || { charts: {} });

  registry.charts["drivers-weights"] = function (result, text) {
    var colors = registry.colors, fmt = registry.fmt, esc = registry.escape;
    var rows = result.weights.filter(function (w) { return !w.suppressed && w.percent !== null; });
    if (!rows.length) { return null; }
    var top = Math.max.apply(null, rows.map(function (w) {
      return w.ci_high_percent !== null ? w.ci_high_percent : w.percent;
    }));
    var series = [{
      type: "bar", name: text.share_r2, barMaxWidth: 30,
      data: rows.map(function (w, i) {
        return { value: w.percent, row: w,
                 itemStyle: { color: i === 0 ? colors.accent : "#84adff", borderRadius: [0, 4, 4, 0] } };
      }),
      label: { show: !rows.some(function (w) { return w.ci_high_percent !== null; }), position: "right",
               color: colors.ink, fontWeight: 600, formatter: function (p) { return fmt(p.value, 1) + " %"; } }
    }];
    var whiskers = rows.map(function (w, i) {
      return [i, w.ci_low_percent, w.ci_high_percent, fmt(w.percent, 1) + " %"];
    }).filter(function (r) { return r[1] !== null; });
    if (whiskers.length) { series.push(registry.errorBars(text.interval, whiskers, true)); }
    return {
      grid: { left: 220, right: 40, top: 16, bottom: 52 },
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var w = p.data && p.data.row;
          if (!w) { return ""; }
          var ci = w.ci_low_percent !== null ? " [" + fmt(w.ci_low_percent, 1) + ", " + fmt(w.ci_high_percent, 1) + "]" : "";
          return "<strong>" + esc(w.label) + "</strong><br>" + esc(text.share_r2) + ": " + fmt(w.percent, 1) + ci +
            "<br>r = " + fmt(w.correlation) + " · β = " + fmt(w.beta);
        }
      },
      xAxis: { type: "value", min: 0, max: Math.ceil((top + 12) / 20) * 20, interval: top + 12 > 60 ? 20 : 10, name: text.share_r2,
               nameLocation: "middle", nameGap: 30, splitLine: { lineStyle: { color: "#eef0f3" } } },
      yAxis: { type: "category", inverse: true, axisTick: { show: false },
               data: rows.map(function (w) { return w.label; }),
               axisLabel: { fontSize: 12, color: colors.ink, width: 200, overflow: "truncate" } },
      series: series
    };
  };
})();
