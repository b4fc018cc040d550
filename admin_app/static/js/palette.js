// The command palette: the search box above every page shows the global search's results as
// you type (the search page's own results, fetched as a fragment), grouped by kind; the arrows
// move through them and Enter opens one. Without this script the box is a plain search form.
(function () {
  "use strict";
  var form = document.getElementById("palette-form");
  var input = document.getElementById("palette-input");
  var box = document.getElementById("palette-results");
  if (!form || !input || !box) return;
  var DELAY = 150; // ms of quiet typing before asking the server
  var timer = null;
  var asked = null;
  var pending = null;
  var active = -1;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", "palette-results");
  input.setAttribute("aria-autocomplete", "list");
  box.setAttribute("role", "listbox");
  box.setAttribute("aria-label", "Search results");

  function options() { return Array.prototype.slice.call(box.querySelectorAll("a.search-hit")); }

  function close() {
    box.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    var found = options();
    if (!found.length) return;
    active = (index + found.length) % found.length;
    found.forEach(function (option, position) {
      option.classList.toggle("active", position === active);
      option.setAttribute("aria-selected", position === active ? "true" : "false");
    });
    input.setAttribute("aria-activedescendant", found[active].id);
    found[active].scrollIntoView({ block: "nearest" });
  }

  // The fragment is the search page's markup: here it becomes a listbox of options in groups.
  function show(html) {
    box.innerHTML = html;
    box.querySelectorAll(".search-group").forEach(function (group) {
      group.setAttribute("role", "group");
      group.querySelectorAll("ul, li").forEach(function (item) { item.setAttribute("role", "presentation"); });
      var title = group.querySelector(".search-group-title");
      if (title) title.setAttribute("role", "presentation");
    });
    options().forEach(function (option, position) {
      option.id = "palette-option-" + position;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.tabIndex = -1;
    });
    box.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
    if (options().length) highlight(0);
  }

  function ask() {
    var term = input.value.trim();
    if (term === asked) { if (term) { box.hidden = false; input.setAttribute("aria-expanded", "true"); } return; }
    asked = term;
    if (!term) { box.innerHTML = ""; close(); return; }
    if (pending) pending.abort();
    pending = new AbortController();
    var url = form.getAttribute("action") + "?" + new URLSearchParams({ q: term, fragment: "1" }).toString();
    fetch(url, { credentials: "same-origin", signal: pending.signal })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) { if (input.value.trim() === term) show(html); })
      .catch(function () { /* a newer request replaced it, or the server refused: the form still works */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, DELAY);
  });
  input.addEventListener("focus", function () { if (input.value.trim()) ask(); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (box.hidden) { ask(); return; }
      highlight(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && !box.hidden && active >= 0) {
      event.preventDefault();
      window.location.href = options()[active].getAttribute("href");
    } else if (event.key === "Escape") {
      if (!box.hidden) { event.preventDefault(); close(); } else { input.blur(); }
    }
  });
  document.addEventListener("click", function (event) {
    if (!form.contains(event.target)) close();
  });

  // The shortcuts script (and any page) opens the palette through this.
  window.panelPalette = {
    open: function () { input.focus(); input.select(); }
  };
})();
