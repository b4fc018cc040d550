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

  // List actions with a confirmation page keep the list's filters, search and sort, so
  // "all rows matching" on that page means what the staff member sees (export links are
  // rendered with them by the server).
  function listParams() {
    var params = new URLSearchParams(window.location.search);
    ["page", "pageSize", "error"].forEach(function (key) { params.delete(key); });
    return params;
  }
  if (window.jQuery) {
    var $ = window.jQuery;
    $("[id^='action-custom-']").off("click").on("click", function () {
      var params = listParams();
      var pks = [];
      $(".select-box:checked").each(function () { pks.push($(this).siblings().get(0).value); });
      if (pks.length) { params.set("pks", pks.join(",")); } else { params.set("scope", "filter"); }
      window.location.href = $(this).attr("data-url") + "?" + params.toString();
    });
    // SQLAdmin appends "?pks=..." to the link's stored URL on every opening of the dialog, so
    // a second attempt (after Cancel) sent "?pks=1?pks=1". Build it from the attribute instead.
    // Bootstrap's data attributes open the dialog; this only prepares what it will send.
    $("#action-delete").off("click").on("click", function () {
      var pks = [];
      $(".select-box:checked").each(function () { pks.push($(this).siblings().get(0).value); });
      $(this).data("pk", pks.length + (pks.length === 1 ? " selected row" : " selected rows"));
      $(this).data("url", this.getAttribute("data-url") + "?pks=" + pks.join(","));
    });
    $(document).on("shown.bs.modal", "#modal-delete", function (event) {
      var trigger = $(event.relatedTarget);
      if (trigger.attr("id") === "action-delete") {
        $("#modal-delete-text").text("This will permanently delete " + trigger.data("pk") + ".");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".toast").forEach(function (element) {
      new window.tabler.bootstrap.Toast(element, { delay: 4000 }).show();
    });
  });
})();
