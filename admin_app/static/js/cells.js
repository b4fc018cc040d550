// Editable list cells: Enter (or a double click) on a cell opens an input; Enter saves through
// /admin/{identity}/cell/{pk} (the edit form's validation, version check and audit), Escape
// cancels. A conflict shows the newer value and keeps the typed one: Enter again saves over it.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var token = meta ? meta.getAttribute("content") : "";

  function header(cell) {
    var table = cell.closest("table");
    return table.querySelectorAll("thead th")[cell.cellIndex];
  }

  // The server marks editable columns on their header and each row's version on the row; the
  // cells become editable here (without the script they are plain text, with no tab stop).
  function rawValue(cell, th) {
    var shown = cell.textContent.trim();
    var choices = JSON.parse(th.getAttribute("data-cell-choices") || "[]");
    var match = choices.filter(function (choice) { return choice[1] === shown; })[0];
    return match ? match[0] : shown;
  }
  function enhance(table) {
    var heads = table.querySelectorAll("thead th");
    table.querySelectorAll("tbody tr[data-version]").forEach(function (row) {
      // The row's id: its box's value, or the row's own where it has no box (changelist/rows.py).
      var box = row.querySelector(".select-box");
      var pk = box ? box.value : row.getAttribute("data-pk");
      row.setAttribute("data-cell-url", table.getAttribute("data-cell-url").replace("PK", encodeURIComponent(pk)));
      heads.forEach(function (th, index) {
        var field = th.getAttribute("data-cell-field");
        var cell = row.cells[index];
        if (!field || !cell) return;
        cell.classList.add("editable-cell");
        cell.tabIndex = 0;
        cell.setAttribute("aria-describedby", "cell-hint");
        cell.setAttribute("data-cell", field);
        cell.setAttribute("data-value", rawValue(cell, th));
      });
    });
  }
  document.querySelectorAll("table[data-cell-url]").forEach(enhance);

  function makeInput(cell) {
    var th = header(cell);
    var kind = th.getAttribute("data-cell-kind");
    var label = "New " + th.getAttribute("data-cell-label").toLowerCase();
    var input;
    if (kind === "select") {
      input = document.createElement("select");
      JSON.parse(th.getAttribute("data-cell-choices")).forEach(function (choice) {
        var option = document.createElement("option");
        option.value = choice[0];
        option.textContent = choice[1];
        input.appendChild(option);
      });
    } else {
      input = document.createElement("input");
      input.type = kind === "date" ? "date" : "text";
    }
    input.className = kind === "select" ? "form-select form-select-sm" : "form-control form-control-sm";
    input.setAttribute("aria-label", label);
    input.value = cell.getAttribute("data-value");
    return input;
  }

  function message(cell, text) {
    var note = cell.querySelector(".cell-message");
    if (!note) {
      note = document.createElement("div");
      note.className = "cell-message small text-danger";
      note.id = "cell-message-" + Math.random().toString(36).slice(2);
      note.setAttribute("role", "alert");
      cell.appendChild(note);
    }
    note.textContent = text;
    var input = cell.querySelector("input, select");
    if (input) {
      input.setAttribute("aria-describedby", note.id);
      input.setAttribute("aria-invalid", "true");
    }
  }

  function open(cell) {
    if (cell.classList.contains("editing")) return;
    cell.classList.add("editing");
    cell.setAttribute("data-shown", cell.innerHTML);
    var input = makeInput(cell);
    cell.textContent = "";
    cell.appendChild(input);
    input.focus();
    if (input.select) input.select();
  }

  function close(cell, html) {
    cell.classList.remove("editing");
    cell.innerHTML = html === undefined ? cell.getAttribute("data-shown") : html;
    cell.removeAttribute("data-shown");
    cell.focus();
  }

  function save(cell) {
    var row = cell.closest("tr");
    var input = cell.querySelector("input, select");
    var body = new URLSearchParams();
    body.set("field", cell.getAttribute("data-cell"));
    body.set("value", input.value);
    body.set("version", row.getAttribute("data-version"));
    input.disabled = true;
    fetch(row.getAttribute("data-cell-url"), {
      method: "POST",
      headers: { "X-CSRF-Token": token, "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().catch(function () { return { error: "The server could not save this (" + response.status + "). Try again." }; })
        .then(function (data) { return { status: response.status, data: data }; });
    }).then(function (result) {
      input.disabled = false;
      var data = result.data;
      if (result.status === 200) {
        row.setAttribute("data-version", data.version);
        cell.setAttribute("data-value", data.value);
        close(cell, data.html);
        return;
      }
      if (result.status === 409 && data.current) {
        // Someone else saved the row: show their value, keep ours, and retry at their version.
        row.setAttribute("data-version", data.current.version);
        var theirs = data.current.value === undefined ? "" : " Their value: \u201c" + data.current.value + "\u201d.";
        message(cell, "Not saved: someone else changed this row." + theirs + " Enter saves yours over it, Escape keeps theirs.");
        if (data.current.html !== undefined) cell.setAttribute("data-shown", data.current.html);
        if (data.current.value !== undefined) cell.setAttribute("data-value", data.current.value);
      } else {
        message(cell, data.error || "Not saved.");
      }
      input.focus();
    });
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var cell = target.closest ? target.closest("td.editable-cell") : null;
    if (!cell) return;
    if (event.key === "Enter" && target === cell) {
      event.preventDefault();
      open(cell);
    } else if (event.key === "Enter" && target !== cell && !event.isComposing) {
      event.preventDefault();
      save(cell);
    } else if (event.key === "Escape" && target !== cell) {
      event.preventDefault();
      close(cell);
    }
  });
  document.addEventListener("dblclick", function (event) {
    var cell = event.target.closest ? event.target.closest("td.editable-cell") : null;
    if (cell) open(cell);
  });
})();
