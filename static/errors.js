/* planner: after a failed save the focus goes to the error summary (its links lead to each
   faulty field) and the page title says there are errors. No inline script (CSP). */
(function () {
  "use strict";
  var summary = document.getElementById("fehler");
  if (!summary) { return; }
  if (document.title.indexOf("Fehler") !== 0) { document.title = "Fehler: " + document.title; }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (field) { event.preventDefault(); field.focus(); }
  });
}());
