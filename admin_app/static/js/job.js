// A running job's page refreshes itself every few seconds (the server renders the progress; the
// Refresh link does the same without script) and stops once the job has finished.
(function () {
  "use strict";
  var card = document.getElementById("job");
  var seconds = card && Number(card.getAttribute("data-refresh"));
  if (!seconds) return;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
