// Text analytics pages: the topic map and trend charts (ECharts options come from the server through
// <script type="application/json" id="comments-charts">; no inline script: the CSP forbids it), a click
// on a topic bubble filters the verbatims, and forms with data-confirm ask before submitting.
(function () {
  "use strict";

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }

  function readOptions() {
    var el = document.getElementById("comments-charts");
    if (!el) { return {}; }
    try { return JSON.parse(el.textContent) || {}; } catch (e) { return {}; }
  }

  function filterVerbatims(topic) {
    var select = document.getElementById("verbatim-topic");
    if (!select) { return; }
    select.value = topic;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    var section = document.getElementById("verbatims");
    if (section) { section.scrollIntoView({ behavior: "smooth", block: "start" }); }
  }

  function initCharts() {
    if (!window.echarts) { return; }
    var options = readOptions();
    document.querySelectorAll("[data-comments-chart]").forEach(function (node) {
      var id = node.getAttribute("data-comments-chart");
      var option = options[id];
      if (!option) {
        node.classList.add("cm-chart-empty");
        node.textContent = node.getAttribute("data-empty") || "";
        return;
      }
      if (id === "topic-map") {
        option.tooltip.formatter = function (p) {
          var lines = (p.data && p.data.tip) || [p.name];
          return lines.map(escapeHtml).join("<br>");
        };
      }
      var chart = window.echarts.init(node, null, { renderer: "canvas" });
      chart.setOption(option);
      window.addEventListener("resize", function () { chart.resize(); });
      if (id === "topic-map") {
        chart.on("click", function (p) { if (p.data && p.data.topic) { filterVerbatims(p.data.topic); } });
      }
    });
  }

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  initCharts();
})();
