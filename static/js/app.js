/* The platform's one shared script. Pages carry no inline script or style (the
   Content-Security-Policy forbids both); behaviour is declared by data attributes:
   - data-autosubmit on a form control: submit its form when it changes (the language switch).
   - data-confirm="question" on a form: ask before sending it (approve, cancel, amend…).
   - data-print on a button: print the page.
   - data-css on an element: a style computed by the server, applied through the CSSOM (which
     the policy allows, unlike a style attribute). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var control = event.target;
    if (control && control.hasAttribute && control.hasAttribute("data-autosubmit") && control.form) {
      control.form.submit();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest ? event.target.closest("[data-print]") : null;
    if (button) {
      window.print();
    }
  });
  function applyCss() {
    document.querySelectorAll("[data-css]").forEach(function (element) {
      element.style.cssText = element.getAttribute("data-css");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", applyCss);
  } else {
    applyCss();
  }
})();
