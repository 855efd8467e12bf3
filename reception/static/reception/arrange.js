// The room grid and the seating chart: drag a guest (or a seat) onto a room (or another seat), or
// click one and then the other. The page then posts its hidden form; the server decides (a suite
// for a grade that may not have one is refused there too) and the page reloads with the result.
// Plain JavaScript served by the app (no CDN).
(function () {
  "use strict";
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });
  var placeForm = document.getElementById("place-form");
  var swapForm = document.getElementById("swap-form");
  if (!placeForm && !swapForm) {
    return;
  }
  var selected = null;

  function setField(form, name, value) {
    form.querySelector("[name=" + name + "]").value = value;
  }

  function submit(source, target) {
    if (placeForm) {
      var grid = target.closest("[data-provider]");
      if (!grid) {
        return;
      }
      setField(placeForm, "provider", grid.getAttribute("data-provider"));
      setField(placeForm, "version", grid.getAttribute("data-version"));
      setField(placeForm, "guest", source.getAttribute("data-guest"));
      setField(placeForm, "room", target.getAttribute("data-room"));
      placeForm.submit();
    } else {
      if (source.getAttribute("data-seat") === target.getAttribute("data-seat")) {
        return;
      }
      setField(swapForm, "a", source.getAttribute("data-seat"));
      setField(swapForm, "b", target.getAttribute("data-seat"));
      swapForm.submit();
    }
  }

  function refused(source, target) {
    // A guest whose grade may not have a suite is never dropped on one.
    return placeForm && target.getAttribute("data-suite") === "1" && source.getAttribute("data-suite-ok") !== "1";
  }

  document.querySelectorAll("[data-drag][draggable=true]").forEach(function (item) {
    item.addEventListener("dragstart", function (event) {
      selected = item;
      event.dataTransfer.setData("text/plain", item.getAttribute("data-guest") || item.getAttribute("data-seat"));
      event.dataTransfer.effectAllowed = "move";
    });
    item.addEventListener("click", function (event) {
      event.stopPropagation();
      if (selected && selected !== item && swapForm) {
        submit(selected, item.closest("[data-drop]"));
        return;
      }
      if (selected) {
        selected.classList.remove("selected");
      }
      selected = item;
      item.classList.add("selected");
    });
  });
  document.querySelectorAll("[data-drop]").forEach(function (target) {
    target.addEventListener("dragover", function (event) {
      if (!selected) {
        return;
      }
      if (refused(selected, target)) {
        target.classList.add("refuse");
        return;
      }
      event.preventDefault();
      target.classList.add("over");
    });
    target.addEventListener("dragleave", function () {
      target.classList.remove("over", "refuse");
    });
    target.addEventListener("drop", function (event) {
      event.preventDefault();
      target.classList.remove("over");
      if (selected && !refused(selected, target)) {
        submit(selected, target);
      }
    });
    target.addEventListener("click", function () {
      if (!selected) {
        return;
      }
      if (refused(selected, target)) {
        target.classList.add("refuse");
        return;
      }
      submit(selected, target);
    });
  });
})();
