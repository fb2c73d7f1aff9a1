// SERVQUAL gap charts: horizontal bars of perception − expectation with 95 % interval whiskers,
// by dimension and by item (items coloured by their dimension).
(function () {
  "use strict";
  var registry = (window.OpenXMAnalysis = window.OpenXMAnalysis || { charts: {} });

  function gapAxis(text, rows) {
    var lows = rows.map(function (r) { return r.ci_low !== null ? r.ci_low : r.gap; });
    var highs = rows.map(function (r) { return r.ci_high !== null ? r.ci_high : r.gap; });
    var min = Math.min.apply(null, lows.concat([0]));
    var max = Math.max.apply(null, highs.concat([0]));
    return {
      type: "value", name: text.gap, nameLocation: "middle", nameGap: 30,
      min: Math.floor((min - 0.1) * 2) / 2, max: Math.ceil((max + 0.1) * 2) / 2,
      splitLine: { lineStyle: { color: "#eef0f3" } },
      axisLine: { show: true, lineStyle: { color: "#98a2b3" } }
    };
  }

  function tooltip(text) {
    var fmt = registry.fmt, esc = registry.escape;
    return {
      trigger: "item",
      formatter: function (p) {
        var r = p.data && p.data.row;
        if (!r) { return ""; }
        return "<strong>" + esc(r.label) + "</strong><br>" + esc(text.gap) + ": " + fmt(r.gap) +
          " [" + fmt(r.ci_low) + ", " + fmt(r.ci_high) + "]<br>" + esc(text.expectation) + " " + fmt(r.expectation) +
          " · " + esc(text.perception) + " " + fmt(r.perception) + "<br>n = " + r.n;
      }
    };
  }

  registry.charts["servqual-dimensions"] = function (result, text) {
    var colors = registry.colors;
    var rows = result.dimensions.filter(function (d) { return !d.suppressed && d.gap !== null; });
    if (!rows.length) { return null; }
    return {
      grid: { left: 130, right: 48, top: 16, bottom: 52 },
      tooltip: tooltip(text),
      xAxis: gapAxis(text, rows),
      yAxis: { type: "category", inverse: true, data: rows.map(function (d) { return d.label; }),
               axisTick: { show: false }, axisLabel: { fontSize: 13, color: colors.ink } },
      series: [
        {
          type: "bar", name: text.gap, barMaxWidth: 34,
          data: rows.map(function (d) {
            return { value: d.gap, row: d, itemStyle: { color: colors.dimension[d.dimension] || colors.accent,
                                                        borderRadius: d.gap < 0 ? [4, 0, 0, 4] : [0, 4, 4, 0] } };
          }),
          label: { show: true, position: "insideRight", color: "#fff", fontWeight: 600,
                   formatter: function (p) { return registry.fmt(p.value); } }
        },
        registry.errorBars(text.interval, rows.map(function (d, i) { return [i, d.ci_low, d.ci_high]; })
          .filter(function (r) { return r[1] !== null; }), true)
      ]
    };
  };

  registry.charts["servqual-items"] = function (result, text) {
    var colors = registry.colors;
    var rows = result.items.filter(function (i) { return !i.suppressed && i.gap !== null; });
    if (!rows.length) { return null; }
    var dims = [];
    rows.forEach(function (r) { if (dims.indexOf(r.dimension) < 0) { dims.push(r.dimension); } });
    var labelOf = {};
    rows.forEach(function (r) { labelOf[r.dimension] = r.dimension_label; });
    var series = dims.map(function (dim) {
      return {
        type: "bar", name: labelOf[dim], stack: "gap", barMaxWidth: 18,
        itemStyle: { color: colors.dimension[dim] || colors.accent },
        data: rows.map(function (r) { return r.dimension === dim ? { value: r.gap, row: r } : null; })
      };
    });
    series.push(registry.errorBars(text.interval, rows.map(function (r, i) { return [i, r.ci_low, r.ci_high]; })
      .filter(function (r) { return r[1] !== null; }), true));
    return {
      grid: { left: 260, right: 40, top: 40, bottom: 52 },
      legend: { top: 0, data: dims.map(function (d) { return labelOf[d]; }) },
      tooltip: tooltip(text),
      xAxis: gapAxis(text, rows),
      yAxis: {
        type: "category", inverse: true, axisTick: { show: false },
        data: rows.map(function (r) { return r.item + "  " + r.label; }),
        axisLabel: { fontSize: 12, color: colors.ink, width: 240, overflow: "truncate" }
      },
      series: series
    };
  };
})();
