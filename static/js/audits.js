// Findings rows: the first click loads them (htmx, "click once"); later clicks only hide or
// show the row that is already there.
function dwToggle(button) {
  const row = document.getElementById(button.getAttribute("aria-controls"));
  const open = button.getAttribute("aria-expanded") !== "true";
  if (row && button.dataset.loaded) row.hidden = !open;
  button.dataset.loaded = "1";
  button.setAttribute("aria-expanded", String(open));
  button.textContent = open ? "Hide findings" : "Show findings";
}
