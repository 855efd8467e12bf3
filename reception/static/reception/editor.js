// The plan editor: confirm deletions, and show only the fields that apply to the item's kind.
// Plain JavaScript served by the app (no CDN); the page works the same without it.
(function () {
  "use strict";
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });
  var kind = document.getElementById("id_item-kind");
  if (!kind) {
    return;
  }
  var only = { "item-meal_type": "meal", "item-working_meal": "meal", "item-room_type": "lodging", "item-menu": "meal" };
  function toggle() {
    Object.keys(only).forEach(function (name) {
      var field = document.getElementById("id_" + name);
      var wrapper = field && field.closest("div");
      if (wrapper) {
        wrapper.hidden = kind.value !== only[name];
      }
    });
  }
  kind.addEventListener("change", toggle);
  toggle();
})();
