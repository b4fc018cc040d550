// "Follow the system" theme: Tabler reads `data-bs-theme` on <html>; the server sets it for an
// explicit light or dark choice, this follows the system's setting (and its changes) otherwise.
(function () {
  "use strict";
  var root = document.documentElement;
  if (root.getAttribute("data-theme-choice") !== "auto" || !window.matchMedia) return;
  var dark = window.matchMedia("(prefers-color-scheme: dark)");
  function apply() { root.setAttribute("data-bs-theme", dark.matches ? "dark" : "light"); }
  apply();
  if (dark.addEventListener) dark.addEventListener("change", apply);
})();
