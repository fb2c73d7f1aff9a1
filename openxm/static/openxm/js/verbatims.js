// Keyboard corrections on verbatims: with a comment focused (Tab, or a click on its text),
// P, N and U press its Positive, Negative and Neutral buttons. Delegated from the document,
// so items swapped in by HTMX (a correction, "more", the response page's panel) work too.
(function () {
  var KEYS = { p: "positive", n: "negative", u: "neutral" };
  var refocus = null;
  document.addEventListener("keydown", function (event) {
    var item = event.target;
    if (!item.matches || !item.matches("li.cm-verbatim") || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var value = KEYS[event.key.toLowerCase()];
    var button = value && item.querySelector('form.cm-correct button[name="sentiment"][value="' + value + '"]');
    if (!button) {
      return;
    }
    event.preventDefault();
    refocus = item.id;
    button.click();
  });
  // The corrected item replaces the old one: keep the focus on it for the next key.
  document.addEventListener("htmx:afterSettle", function () {
    var swapped = refocus && document.getElementById(refocus);
    refocus = null;
    if (swapped) {
      swapped.focus();
    }
  });
})();
