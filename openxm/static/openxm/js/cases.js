// The case inbox's keyboard: j / k move the focus between rows, x ticks the row's box for a
// bulk action, o or Enter opens the case. Keys typed into a field are left alone.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("#case-list tbody tr[data-href]"));
  if (!rows.length) return;
  var at = -1;
  function focus(i) {
    if (at >= 0) rows[at].classList.remove("focused");
    at = Math.max(0, Math.min(rows.length - 1, i));
    rows[at].classList.add("focused");
    rows[at].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (e) {
    var tag = (e.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea" || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "j") { focus(at + 1); e.preventDefault(); }
    else if (e.key === "k") { focus(at - 1); e.preventDefault(); }
    else if (e.key === "x" && at >= 0) { var box = rows[at].querySelector("input[type=checkbox]"); box.checked = !box.checked; }
    else if ((e.key === "o" || e.key === "Enter") && at >= 0) { window.location.href = rows[at].getAttribute("data-href"); }
  });
})();
