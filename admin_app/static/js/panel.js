// The panel's own script: CSRF token on every state-changing request, flash toasts.
// Loaded from this site only (the Content-Security-Policy forbids inline scripts).
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var token = meta ? meta.getAttribute("content") : "";

  if (window.jQuery) {
    window.jQuery.ajaxSetup({ headers: { "X-CSRF-Token": token } });
  }

  // Any POST form rendered without the hidden field (e.g. by SQLAdmin's own templates) gets one.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
    if (form.querySelector('input[name="csrf_token"]')) return;
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "csrf_token";
    input.value = token;
    form.appendChild(input);
  }, true);

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".toast").forEach(function (element) {
      new window.tabler.bootstrap.Toast(element, { delay: 4000 }).show();
    });
  });
})();
