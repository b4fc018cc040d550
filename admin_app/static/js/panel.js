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
  // Which parameters those links leave out, the server says on the page (one table,
  // changelist/parameters.py).
  var banner = document.getElementById("selection-banner");
  function listParams() {
    var params = new URLSearchParams(window.location.search);
    var leftOut = banner ? (banner.getAttribute("data-left-out") || "").split(" ") : [];
    leftOut.forEach(function (key) { if (key) params.delete(key); });
    return params;
  }
  var allMatching = banner && banner.getAttribute("data-all-matching") === "yes";

  // "Select all N matching, except": the selection lives in the URL the server rendered
  // (scope=filter&except=...). Unticking a row adds it to `except`, in the address bar and in
  // every link that carries the selection (paging, page size, exports), never as 50,000 ids.
  function rowId(box) { return box.value; }
  function excludedIds() {
    var raw = new URLSearchParams(window.location.search).get("except") || "";
    return raw.split(",").filter(function (id) { return id; });
  }
  function withExcluded(href, ids) {
    var url = new URL(href, window.location.href);
    if (ids.length) { url.searchParams.set("except", ids.join(",")); } else { url.searchParams.delete("except"); }
    return url.pathname + url.search;
  }
  function keepExcluded(ids) {
    window.history.replaceState(null, "", withExcluded(window.location.href, ids));
    document.querySelectorAll(".page-link[href], #export-links a, .dropdown-item[href*='pageSize']").forEach(function (link) {
      if (link.getAttribute("href") !== "#") link.setAttribute("href", withExcluded(link.getAttribute("href"), ids));
    });
    var summary = document.getElementById("selection-summary");
    var total = banner.getAttribute("data-count");
    summary.textContent = "All " + (total ? total + " " : "") + "rows matching the list are selected" +
      (ids.length ? ", except " + ids.length + " you unticked." : ".");
  }
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!banner || !(box instanceof HTMLInputElement)) return;
    if (allMatching && box.classList.contains("select-box")) {
      var ids = excludedIds().filter(function (id) { return id !== rowId(box); });
      if (!box.checked) ids.push(rowId(box));
      keepExcluded(ids);
    } else if (!allMatching && (box.id === "select-all" || box.classList.contains("select-box"))) {
      var boxes = document.querySelectorAll(".select-box");
      var ticked = document.querySelectorAll(".select-box:checked");
      banner.hidden = !(boxes.length && ticked.length === boxes.length);
    }
  });

  if (window.jQuery) {
    var $ = window.jQuery;
    $("[id^='action-custom-']").off("click").on("click", function () {
      var params = listParams();
      var pks = [];
      $(".select-box:checked").each(function () { pks.push(this.value); });
      // Nothing ticked is no selection: the page asks for one (never "the whole list" unasked).
      if (allMatching) { params.set("scope", "filter"); } else if (pks.length) { params.set("pks", pks.join(",")); }
      window.location.href = $(this).attr("data-url") + "?" + params.toString();
    });
    // SQLAdmin appends "?pks=..." to the link's stored URL on every opening of the dialog, so
    // a second attempt (after Cancel) sent "?pks=1?pks=1". Build it from the attribute instead.
    // Bootstrap's data attributes open the dialog; this only prepares what it will send.
    // With all matching rows selected, the delete goes to the preview page (it counts them).
    $("#action-delete").off("click").on("click", function (event) {
      if (allMatching) {
        event.preventDefault();
        event.stopPropagation();
        window.location.href = banner.getAttribute("data-delete-url") + "?" + listParams().toString();
        return;
      }
      var pks = [];
      $(".select-box:checked").each(function () { pks.push(this.value); });
      $(this).data("pk", pks.length + (pks.length === 1 ? " selected row" : " selected rows"));
      $(this).data("url", this.getAttribute("data-url") + "?pks=" + pks.join(","));
    });
    // A row's delete link opens the dialog (25 rows repeated its data-bs-* attributes).
    $(document).on("click", ".row-delete", function (event) {
      event.preventDefault();
      window.tabler.bootstrap.Modal.getOrCreateInstance(document.getElementById("modal-delete")).show(this);
    });
    $(document).on("shown.bs.modal", "#modal-delete", function (event) {
      var trigger = $(event.relatedTarget);
      if (trigger.hasClass("row-delete")) {
        // A row's own delete: SQLAdmin's script takes the URL from the link; the row is named
        // from its box and the list's name from the Actions menu (the link carries neither).
        var box = trigger.closest("tr").find(".select-box").get(0);
        $("#modal-delete-text").text("This will delete " + $("#action-delete").attr("data-name") + " " +
          (box ? box.value : "") + ". Deleted rows can be restored from Recently deleted.");
        $("#modal-delete-button").prop("disabled", false);
        return;
      }
      if (trigger.attr("id") !== "action-delete") return;
      var none = trigger.data("pk").indexOf("0 ") === 0;
      $("#modal-delete-text").text(none
        ? "No rows are ticked: tick the rows to delete in the list first."
        : "This will delete " + trigger.data("pk") + ". Deleted rows can be restored from Recently deleted.");
      $("#modal-delete-button").prop("disabled", none);
    });
  }

  // The element with this id on the page at `url` (the facets, count and column pages, and the
  // keyboard help for shortcuts.js), or null; a failed fetch rejects, and each caller then keeps
  // its link.
  function fetchPart(url, id) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.text() : Promise.reject(new Error(String(response.status)));
    }).then(function (html) {
      return new DOMParser().parseFromString(html, "text/html").getElementById(id);
    });
  }
  window.panelFetchPart = fetchPart;

  // The facets come after the rows: the list shows a link to them (list_facets.html), replaced
  // here by the figures from the page it names. If that fails, the link stays.
  var facetsSlot = document.querySelector("#facets[data-facets-url]");
  if (facetsSlot) {
    fetchPart(facetsSlot.getAttribute("data-facets-url"), "facets").then(function (found) {
      if (found) facetsSlot.replaceWith(found);
    }).catch(function () {});
  }

  // A first page shows its rows before counting them: it says "more than 25" and names its count
  // page (list_count.html), whose count and pager replace its own here; the selection banner
  // learns the number. If that fails, the "Count them" link stays.
  var countSlot = document.querySelector("#list-count[data-count-url]");
  if (countSlot) {
    fetchPart(countSlot.getAttribute("data-count-url"), "list-count").then(function (found) {
      if (!found) return;
      countSlot.replaceWith(found);
      var total = found.getAttribute("data-count");
      if (banner && total) {
        banner.setAttribute("data-count", total);
        var all = document.getElementById("selection-all-matching");
        if (all) all.textContent = "Select all " + total + " rows matching the list";
        if (allMatching) keepExcluded(excludedIds());
      }
    }).catch(function () {});
  }

  // The user page's inline events: "Add another event" copies the last empty row under a new
  // key (the server serves three and reads any number).
  var addRow = document.getElementById("inline-add-row");
  if (addRow) {
    addRow.hidden = false;
    addRow.addEventListener("click", function () {
      var rows = document.querySelectorAll("#inline-events-table tr.inline-new");
      var last = rows[rows.length - 1];
      var key = "new" + rows.length;
      var copy = last.cloneNode(true);
      var oldKey = last.getAttribute("data-row-key");
      copy.setAttribute("data-row-key", key);
      copy.querySelectorAll("[name]").forEach(function (field) {
        field.name = field.name.replace("events-" + oldKey + "-", "events-" + key + "-");
        if (field.tagName === "INPUT") field.value = "";
        field.removeAttribute("aria-invalid");
        field.classList.remove("is-invalid");
        var label = field.getAttribute("aria-label");
        if (label) field.setAttribute("aria-label", label.replace(/new event \d+$/, "new event " + (rows.length + 1)));
      });
      copy.querySelectorAll(".invalid-feedback").forEach(function (note) { note.remove(); });
      last.parentNode.appendChild(copy);
      copy.querySelector("input[name$='-title']").focus();
    });
  }

  // The column chooser's form lives on its own page (column_chooser.html): fetched into the
  // Columns box the first time it opens (its link stays if that fails). Its move buttons reload
  // the list at #column-chooser: open it again there.
  var chooser = document.getElementById("column-chooser");
  if (chooser) {
    chooser.addEventListener("toggle", function () {
      if (!chooser.open || chooser.querySelector("form")) return;
      fetchPart(chooser.getAttribute("data-form-url"), "column-chooser-form").then(function (form) {
        if (!form || chooser.querySelector("form")) return;
        var onPage = form.querySelector("input[name='on_page']");
        if (onPage) onPage.remove();
        chooser.querySelector("p").replaceWith(form);
      }).catch(function () {});
    });
    if (window.location.hash === "#column-chooser") {
      chooser.open = true;
      chooser.querySelector("summary").focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".toast").forEach(function (element) {
      new window.tabler.bootstrap.Toast(element, { delay: 4000 }).show();
    });
  });
})();
