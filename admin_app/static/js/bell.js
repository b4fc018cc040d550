// The bell keeps its unread count true while a page stays open: every half minute (while the tab
// is visible) it reads the notifications page, the server's own rendering of the count, and
// updates the badge. A new notification is also said in the polite live region beside the bell
// ("Export of 812 events is ready: ..."). Without script the count is as the page was rendered.
(function () {
  "use strict";
  var bell = document.getElementById("notifications-bell");
  var announcer = document.getElementById("notifications-announcer");
  if (!bell || !announcer || !window.fetch || !window.DOMParser) return;
  var EVERY_MS = 30000;
  var shown = count(document);
  var timer = null;

  function count(page) {
    var badge = page.getElementById("unread-count");
    return badge ? Number(badge.textContent) || 0 : 0;
  }

  function show(unread) {
    var badge = document.getElementById("unread-count");
    if (unread && !badge) {
      badge = document.createElement("span");
      badge.id = "unread-count";
      badge.className = "badge bg-red text-white ms-1";
      bell.appendChild(document.createTextNode(" "));
      bell.appendChild(badge);
    }
    if (badge && !unread) badge.remove();
    if (badge) badge.textContent = String(unread);
    bell.setAttribute("aria-label", unread ? "Notifications: " + unread + " unread" : "Notifications");
  }

  function look() {
    fetch(bell.getAttribute("href"), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var page = new DOMParser().parseFromString(html, "text/html");
        var unread = count(page);
        if (unread > shown) {
          var newest = page.querySelector('#notifications [data-unread="yes"] .note-text');
          announcer.textContent = newest ? newest.textContent.trim() : unread + " unread notifications";
        }
        shown = unread;
        show(unread);
      })
      .catch(function () { /* offline for a moment: the next look tries again */ });
  }

  function schedule() {
    window.clearInterval(timer);
    timer = document.visibilityState === "visible" ? window.setInterval(look, EVERY_MS) : null;
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") look();
    schedule();
  });
  schedule();
  // Tests and other scripts may ask for a look at once (the job page does when a job ends).
  window.panelBell = { look: look };
})();
