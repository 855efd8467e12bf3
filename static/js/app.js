// Behaviour that pages used to carry inline, kept here so the Content-Security-Policy can forbid
// inline script and style: <select data-autosubmit>, <button data-print>, and data-css (a style
// computed by the server, applied through the CSSOM, which the policy allows).
(function () {
  "use strict";
  function ready() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("[data-css]").forEach(function (element) {
      element.style.cssText = element.getAttribute("data-css");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
