// Keyboard shortcuts, listed in the "?" help (templates/shortcut_help.html: only the display page
// carries it; other pages fetch it from there on first use). Single-key ones can be switched off
// per staff member (WCAG 2.1.4: the server renders the choice on <body>), and none fires while
// typing in a field, except the Ctrl/Cmd ones (search, save).
(function () {
  "use strict";
  var singleKeys = document.body.getAttribute("data-single-key-shortcuts") !== "off";
  var helpButton = document.getElementById("shortcut-help-button");
  var SEQUENCE_MS = 1500; // time to press the second key of "g u"
  var goPressedAt = 0;
  var row = -1;

  function help() { return document.getElementById("shortcut-help"); }

  // The help comes from the display page the first time; if it cannot be fetched, that page
  // itself lists the shortcuts.
  function openHelp() {
    var shown = help();
    if (shown) { if (!shown.open) shown.showModal(); return; }
    if (!helpButton) return;
    var page = helpButton.getAttribute("href");
    // panel.js's fetchPart (loaded before this script on every page).
    window.panelFetchPart(page, "shortcut-help").then(function (fetched) {
      if (!fetched) throw new Error("no help");
      if (help()) return; // opened twice while fetching
      var dialog = document.importNode(fetched, true);
      document.body.appendChild(dialog);
      dialog.showModal();
    }).catch(function () { window.location.href = page; });
  }
  if (helpButton) {
    helpButton.addEventListener("click", function (event) { event.preventDefault(); openHelp(); });
  }

  function typing(target) {
    if (!(target instanceof HTMLElement)) return false;
    if (target.isContentEditable) return true;
    var tag = target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    return ["checkbox", "radio", "button", "submit", "reset"].indexOf(target.type) === -1;
  }

  function openPalette() { if (window.panelPalette) window.panelPalette.open(); }

  // The form Ctrl+S saves: the one being typed in, else the page's create or edit form.
  function formToSave(target) {
    var form = target instanceof HTMLElement ? target.closest("form") : null;
    if (!form || (form.method || "").toLowerCase() !== "post") {
      var save = document.querySelector('#main-content form[method="POST"] input[name="save"]');
      form = save ? save.form : null;
    }
    return form;
  }

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("table.card-table tbody tr")); }

  function moveRow(step) {
    var found = rows();
    if (!found.length) return false;
    var current = found.indexOf(document.activeElement);
    row = Math.min(found.length - 1, Math.max(0, (current === -1 ? row : current) + step));
    found.forEach(function (tr, index) { tr.classList.toggle("row-current", index === row); });
    found[row].tabIndex = -1;
    found[row].focus();
    return true;
  }

  function follow(selector) {
    var link = document.querySelector(selector);
    if (!link) return false;
    window.location.href = link.getAttribute("href");
    return true;
  }

  document.addEventListener("keydown", function (event) {
    var key = event.key;
    var modified = event.ctrlKey || event.metaKey;
    if (modified && !event.altKey && !event.shiftKey && (key === "k" || key === "K")) {
      event.preventDefault();
      openPalette();
      return;
    }
    if (modified && !event.altKey && !event.shiftKey && (key === "s" || key === "S")) {
      var form = formToSave(event.target);
      if (!form) return;
      event.preventDefault();
      var button = form.querySelector('input[name="save"], button[type="submit"], input[type="submit"]');
      if (form.requestSubmit) { form.requestSubmit(button || undefined); } else { form.submit(); }
      return;
    }
    if (modified || event.altKey || !singleKeys || event.defaultPrevented) return;
    var dialog = help();
    if (typing(event.target) || (dialog && dialog.open)) return;
    if (key === "Enter" && event.target instanceof HTMLTableRowElement) {
      var open = event.target.querySelector("a[href]");
      if (open) { event.preventDefault(); window.location.href = open.getAttribute("href"); }
      return;
    }
    if (goPressedAt && Date.now() - goPressedAt < SEQUENCE_MS) {
      goPressedAt = 0;
      var target = helpButton && helpButton.getAttribute("data-go-" + key);
      if (target) { event.preventDefault(); window.location.href = target; }
      return;
    }
    var handled = true;
    if (key === "/") openPalette();
    else if (key === "?") openHelp();
    else if (key === "g") goPressedAt = Date.now();
    else if (key === "n") handled = follow('[data-shortcut="n"]');
    else if (key === "e") handled = follow('#main-content a.btn[href*="/edit/"]');
    else if (key === "j") handled = moveRow(1);
    else if (key === "k") handled = moveRow(-1);
    else handled = false;
    if (handled) event.preventDefault();
  });
})();
