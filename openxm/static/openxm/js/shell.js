// Shell behaviour: the organization switcher submits on change (the button stays for no-JS use).
document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
