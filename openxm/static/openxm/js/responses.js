// Response pages: "select all" checkboxes and confirmation of destructive forms.
// <input type="checkbox" data-select-all="ids"> ticks every checkbox named "ids" in its form;
// <form data-confirm="Question?"> asks before submitting.
document.querySelectorAll("input[data-select-all]").forEach(function (box) {
  box.addEventListener("change", function () {
    var name = box.getAttribute("data-select-all");
    box.form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (item) {
      item.checked = box.checked;
    });
  });
});
document.querySelectorAll("form[data-confirm]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (!window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
});
