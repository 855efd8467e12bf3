/* The platform's one shared script. Pages carry no inline script or style (the
   Content-Security-Policy forbids both); behaviour is declared by data attributes:
   - sets the `tz` cookie to the browser's time zone (core.middleware.UserTimeZoneMiddleware).
   - data-autosubmit on a form control: submit its form when it changes (the language switch).
   - data-confirm="question" on a form: ask before sending it (approve, cancel, amend…).
   - data-print on a button: print the page.
   - data-css on an element: a style computed by the server, applied through the CSSOM (which
     the policy allows, unlike a style attribute).
   - labels table cells by their column (phones show rows as cards).
   - registers the service worker (/sw.js, offline copies) and shows [data-offline-note] when
     the page is an offline copy; data-clear-offline on the sign-out form empties the copies. */
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
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* no offline copies */ });
  }
  function showOffline() {
    var offline = !navigator.onLine;
    document.querySelectorAll("[data-offline-note]").forEach(function (note) { note.hidden = !offline; });
  }
  window.addEventListener("online", showOffline);
  window.addEventListener("offline", showOffline);
  document.addEventListener("DOMContentLoaded", showOffline);
  // Phones: each table row becomes a card; its cells are labelled by their column's heading.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table.table").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (heads[index] && !cell.hasAttribute("data-label") && !(cell.colSpan > 1)) { cell.setAttribute("data-label", heads[index]); }
        });
      });
    });
  });
  document.addEventListener("submit", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-clear-offline") && window.caches) {
      caches.keys().then(function (names) { names.forEach(function (name) { caches.delete(name); }); });
    }
  });
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
