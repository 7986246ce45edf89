// Driftwatch's own small script: tell the user when an htmx request fails, since htmx 2
// leaves the page unchanged on an error response and would otherwise fail silently.
(function () {
  "use strict";

  function flash(text) {
    var box = document.getElementById("flash");
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
    clearTimeout(box._timer);
    box._timer = setTimeout(function () { box.hidden = true; }, 8000);
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status === 403) {
      flash("Your role may read but not change anything here.");
    } else if (status === 404) {
      flash("That item no longer exists; reload the page.");
    } else {
      flash("The server could not do that (HTTP " + status + "). Nothing was changed.");
    }
  });

  document.addEventListener("htmx:sendError", function () {
    flash("The server cannot be reached. Nothing was changed.");
  });

  // Bring an entry the server marked as new into view after an out-of-band swap.
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var fresh = event.detail.target && event.detail.target.querySelector(".is-new");
    if (fresh && fresh.scrollIntoView) fresh.scrollIntoView({ block: "nearest", behavior: "smooth" });
  });
})();
