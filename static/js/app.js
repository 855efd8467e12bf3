/* The platform's one shared script (no inline scripts): behaviour declared by data attributes.
   - sets the `tz` cookie to the browser's time zone (core.middleware.UserTimeZoneMiddleware).
   - data-autosubmit on a form control: submit its form when it changes (the language switch).
   - data-confirm="question" on a form: ask before sending it (approve, cancel, amend…).
   - data-print on a button: print the page. */
(function () {
  "use strict";
  // Times on pages in the user's own time zone: tell the server the browser's (read on the next page).
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var sent = (document.cookie.match(/(?:^|; )tz=([^;]*)/) || [])[1];
    if (zone && decodeURIComponent(sent || "") !== zone) {
      document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (ignored) { /* an old browser: server time (Asia/Shanghai) */ }
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
})();
