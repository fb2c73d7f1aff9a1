/* openxm website intercept: shows a survey in a dialog on a trigger.
 *
 * <script src="https://cx.example.com/static/openxm/intercept.js" data-openxm="TOKEN" async></script>
 *
 * The distribution's settings (GET /r/x/TOKEN/config.json) say when: on a page view (optionally only
 * when the address contains a text) or on an event the page reports with openxm("event", "name");
 * to a share of visitors (decided once per browser); after a delay; and not again for N days once
 * shown. openxm("show") opens it at once. The survey itself is the normal respondent page in an
 * iframe, so it works the same as the public link (and is framable only by the allowed origins).
 */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-openxm]");
  if (!script) return;
  var token = script.getAttribute("data-openxm");
  var base = script.src.replace(/\/static\/openxm\/intercept\.js.*$/, "");
  var key = "openxm:" + token.slice(0, 24) + ":";
  var config = null;
  var queue = [];
  var open = false;

  function store(name, value) {
    try {
      if (value === undefined) return window.localStorage.getItem(key + name);
      window.localStorage.setItem(key + name, value);
    } catch (e) { return null; }
  }

  function inSample(percent) {
    var decided = store("sample");
    if (decided === "1" || decided === "0") return decided === "1";
    var yes = Math.random() * 100 < percent;
    store("sample", yes ? "1" : "0");
    return yes;
  }

  function recentlyShown(days) {
    var last = parseInt(store("shown") || "0", 10);
    return last && Date.now() - last < days * 864e5;
  }

  function allowed() {
    if (!config || !config.active || open) return false;
    if (config.url_contains && window.location.href.indexOf(config.url_contains) < 0) return false;
    if (recentlyShown(config.days_between || 0)) return false;
    return inSample(config.percent == null ? 100 : config.percent);
  }

  function css(el, rules) {
    for (var k in rules) el.style[k] = rules[k];
    return el;
  }

  function show() {
    if (!config || open) return;
    open = true;
    store("shown", String(Date.now()));
    var dialog = document.createElement("dialog");
    var modal = typeof dialog.showModal === "function";
    if (!modal) dialog = document.createElement("div");
    dialog.setAttribute("aria-label", config.title || "Survey");
    if (!modal) { dialog.setAttribute("role", "dialog"); dialog.setAttribute("aria-modal", "true"); }
    css(dialog, {
      padding: "0", border: "0", borderRadius: "12px", width: "min(440px, 94vw)", height: "min(640px, 88vh)",
      boxShadow: "0 10px 40px rgba(0,0,0,.3)", background: "#fff", overflow: "hidden"
    });
    if (!modal) css(dialog, { position: "fixed", right: "3vw", bottom: "3vh", zIndex: "2147483647" });
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "\u00d7";
    close.setAttribute("aria-label", (document.documentElement.lang || "").indexOf("zh") === 0 ? "\u5173\u95ed" : "Close");
    css(close, {
      position: "absolute", top: "6px", right: "8px", width: "36px", height: "36px", border: "0",
      borderRadius: "18px", background: "#eef0f3", color: "#1d2330", fontSize: "22px", cursor: "pointer"
    });
    var frame = document.createElement("iframe");
    frame.src = config.url + (config.url.indexOf("?") < 0 ? "?" : "&") + "lang=" +
      encodeURIComponent(document.documentElement.lang || navigator.language || "");
    frame.title = config.title || "Survey";
    css(frame, { width: "100%", height: "100%", border: "0" });
    function shut() {
      if (modal && dialog.open) dialog.close();
      if (dialog.parentNode) dialog.parentNode.removeChild(dialog);
      open = false;
    }
    close.addEventListener("click", shut);
    dialog.addEventListener("cancel", function () { open = false; });
    if (!modal) {
      document.addEventListener("keydown", function (e) { if (e.key === "Escape") shut(); });
    }
    dialog.appendChild(frame);
    dialog.appendChild(close);
    document.body.appendChild(dialog);
    if (modal) dialog.showModal();
    close.focus();
  }

  function later() {
    setTimeout(function () { if (allowed()) show(); }, (config.delay_seconds || 0) * 1000);
  }

  function handle(command, argument) {
    if (command === "show") return show();
    if (command === "event" && config && config.trigger === "event" && argument === config.event) later();
  }

  var previous = window.openxm && window.openxm.q;
  window.openxm = function (command, argument) {
    if (!config) queue.push([command, argument]);
    else handle(command, argument);
  };
  if (previous) for (var i = 0; i < previous.length; i++) queue.push(previous[i]);

  var request = new XMLHttpRequest();
  request.open("GET", base + "/r/x/" + encodeURIComponent(token) + "/config.json");
  request.onload = function () {
    if (request.status !== 200) return;
    try { config = JSON.parse(request.responseText); } catch (e) { return; }
    if (config.trigger === "pageview") later();
    for (var j = 0; j < queue.length; j++) handle(queue[j][0], queue[j][1]);
    queue = [];
  };
  request.send();
})();
