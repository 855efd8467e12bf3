// The subtree picker: select all or none of the hand-picked targets. The server expands the
// level and "with its counties" boxes, so the form works without this script too.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-pick]");
  if (!button) return;
  const on = button.dataset.pick === "all";
  for (const box of button.closest("fieldset").querySelectorAll('input[name="targets"]')) box.checked = on;
});
