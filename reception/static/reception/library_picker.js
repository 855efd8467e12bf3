// The plan editor offers the resource library: venues as suggestions on the venue field, dishes
// appended to the menu. Plain JavaScript served by the app (no CDN).
(function () {
  "use strict";
  var venue = document.getElementById("id_item-venue");
  if (venue && document.getElementById("library-venues")) {
    venue.setAttribute("list", "library-venues");
  }
  var pick = document.querySelector("[data-menu-pick]");
  var menu = document.getElementById("id_item-menu");
  if (pick && menu) {
    pick.addEventListener("change", function () {
      if (pick.value) {
        menu.value = menu.value ? menu.value + "、" + pick.value : pick.value;
        pick.value = "";
      }
    });
  }
})();
