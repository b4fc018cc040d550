// A running job's page keeps itself up to date: every few seconds it reads the page again (the
// server renders the progress, the counts and the estimate) and swaps the job's card in place,
// so focus and scroll stay where they are; the state line is a polite live region, so a screen
// reader hears "Done." when it changes. It stops once the job has finished. Without script the
// Refresh link does the same.
(function () {
  "use strict";
  var card = document.getElementById("job");
  var seconds = card && Number(card.getAttribute("data-refresh"));
  if (!seconds || !window.fetch || !window.DOMParser) return;

  function refresh() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        var fresh = html && new DOMParser().parseFromString(html, "text/html").getElementById("job");
        if (!fresh) return window.setTimeout(refresh, seconds * 1000);
        var state = document.getElementById("job-state");
        var freshState = fresh.querySelector("#job-state");
        // Only the parts that change: the live region itself stays, its text is replaced.
        var body = card.querySelector(".card-body");
        var freshBody = fresh.querySelector(".card-body");
        Array.prototype.slice.call(body.children).forEach(function (child) {
          if (child !== state) child.remove();
        });
        Array.prototype.slice.call(freshBody.children).forEach(function (child) {
          if (child.id !== "job-state") body.appendChild(document.importNode(child, true));
        });
        if (state && freshState && state.innerHTML !== freshState.innerHTML) state.innerHTML = freshState.innerHTML;
        // The title counts the rows once the job has (“Delete of 12,000 events”).
        var header = card.querySelector(".card-header");
        var freshHeader = fresh.querySelector(".card-header");
        if (header && freshHeader && header.innerHTML !== freshHeader.innerHTML) header.innerHTML = freshHeader.innerHTML;
        card.setAttribute("data-state", fresh.getAttribute("data-state"));
        if (fresh.getAttribute("data-refresh")) {
          window.setTimeout(refresh, seconds * 1000);
        } else {
          card.removeAttribute("data-refresh");
          if (window.panelBell) window.panelBell.look();
        }
      })
      .catch(function () { window.setTimeout(refresh, seconds * 1000); });
  }
  window.setTimeout(refresh, seconds * 1000);
})();
