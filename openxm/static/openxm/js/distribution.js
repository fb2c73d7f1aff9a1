// Distribution pages: the new-distribution form shows only the chosen channel's fields
// (fields carry data-channels="email sms …"), and "Copy" buttons copy a read-only field.
(function () {
  "use strict";
  var form = document.querySelector("[data-channel-form]");
  if (form) {
    var select = form.querySelector("select[name=channel]");
    var sync = function () {
      form.querySelectorAll("[data-channels]").forEach(function (el) {
        el.hidden = el.getAttribute("data-channels").split(" ").indexOf(select.value) < 0;
      });
    };
    select.addEventListener("change", sync);
    sync();
  }
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.getAttribute("data-copy"));
      input.select();
      if (navigator.clipboard) {
        navigator.clipboard.writeText(input.value);
      } else {
        document.execCommand("copy");
      }
    });
  });
})();
