// Charts from server-made specifications (no inline script: the CSP forbids it).
// The page holds one <script type="application/json" id="chart-data"> with {id: {option, table, filename,
// links, title}}; every <figure data-chart="id"> gets an ECharts canvas, a table view toggle and CSV/PNG
// downloads. A click on a data point follows links[dataIndex] (drill-down) when there is one.
(function () {
  "use strict";

  function readPayloads() {
    var el = document.getElementById("chart-data");
    if (!el) { return {}; }
    try { return JSON.parse(el.textContent) || {}; } catch (e) { return {}; }
  }

  // Spreadsheet programs run cells starting with = + - @ as formulas (OWASP CSV injection).
  function csvCell(value) {
    if (value === null || value === undefined) { return ""; }
    var text = typeof value === "number" ? String(value) : String(value);
    if (typeof value !== "number" && /^[=+\-@\t\r]/.test(text)) { text = "'" + text; }
    return /[",\r\n]/.test(text) ? "\"" + text.replace(/"/g, "\"\"") + "\"" : text;
  }

  function download(name, href) {
    var a = document.createElement("a");
    a.href = href;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  function toCsv(table) {
    var lines = [table.header.map(csvCell).join(",")];
    table.rows.forEach(function (row) { lines.push(row.map(csvCell).join(",")); });
    return "\ufeff" + lines.join("\r\n") + "\r\n";
  }

  function init(figure, payloads) {
    var id = figure.getAttribute("data-chart");
    var spec = payloads[id];
    var canvas = figure.querySelector(".chart-canvas");
    var tableView = figure.querySelector(".chart-table");
    if (!spec || !canvas || figure.dataset.ready) { return; }
    figure.dataset.ready = "1";
    var chart = null;
    if (window.echarts) {
      chart = window.echarts.init(canvas, null, { renderer: "canvas" });
      chart.setOption(spec.option);
      window.addEventListener("resize", function () { chart.resize(); });
      if (spec.links && spec.links.length) {
        canvas.classList.add("clickable");
        chart.on("click", function (params) {
          var href = spec.links[params.dataIndex];
          if (href) { window.location.href = href; }
        });
      }
      if (tableView) { tableView.hidden = true; }
    } else {
      canvas.hidden = true;  // no ECharts: the table is the chart
    }
    figure.querySelectorAll("[data-chart-action]").forEach(function (button) {
      button.addEventListener("click", function () {
        var action = button.getAttribute("data-chart-action");
        if (action === "table" && tableView) {
          var showTable = tableView.hidden;
          tableView.hidden = !showTable;
          canvas.hidden = showTable;
          button.setAttribute("aria-pressed", showTable ? "true" : "false");
          if (!showTable && chart) { chart.resize(); }
        } else if (action === "csv") {
          var blob = new Blob([toCsv(spec.table)], { type: "text/csv;charset=utf-8" });
          var url = URL.createObjectURL(blob);
          download((spec.filename || id) + ".csv", url);
          setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
        } else if (action === "png" && chart) {
          download((spec.filename || id) + ".png", chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" }));
        }
      });
    });
  }

  function initAll(root) {
    var payloads = readPayloads();
    (root || document).querySelectorAll("figure[data-chart]").forEach(function (f) { init(f, payloads); });
  }

  // Choosing dates in the filter bar means a custom period.
  document.querySelectorAll("input[data-custom-period]").forEach(function (input) {
    input.addEventListener("change", function () {
      var select = input.form && input.form.querySelector("select[name=period]");
      if (select) { select.value = "custom"; }
    });
  });

  initAll(document);
  document.addEventListener("htmx:afterSwap", function (event) { initAll(event.target); });
})();
