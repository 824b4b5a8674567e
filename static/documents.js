/* planner: the page of a document made in the background (templates/documents/status.html).
   Asks for the progress every two seconds and updates the progress bar and the live region
   (role=status), which screen readers announce; shows the download link when the document is
   ready. Without JavaScript the page reloads itself (<noscript> refresh). No inline script (CSP). */
(function () {
  "use strict";
  var section = document.querySelector("[data-job-status]");
  if (!section) { return; }
  var url = section.getAttribute("data-job-status");
  var bar = document.getElementById("job-progress");
  var live = document.getElementById("job-live");
  var download = document.getElementById("job-download");
  var hint = document.getElementById("job-refresh-hint");
  var lastText = "";

  function say(text, cls) {
    if (text === lastText) { return; }
    lastText = text;
    var p = document.createElement("p");
    if (cls) { p.className = cls; }
    p.textContent = text;
    live.replaceChildren(p);
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (s) {
        bar.value = s.progress;
        bar.textContent = s.progress + " %";
        if (s.done) {
          say("Fertig. Das Dokument steht zum Herunterladen bereit.", "job-done");
          var link = download.querySelector("a");
          link.setAttribute("href", s.download);
          link.textContent = s.filename + " herunterladen";
          download.hidden = false;
          if (hint) { hint.hidden = true; }
          return;
        }
        if (s.failed) {
          say("Nicht erstellt: " + s.error, "job-failed");
          if (hint) { hint.hidden = true; }
          return;
        }
        say(s.progress + " %: " + s.step);
        window.setTimeout(poll, 2000);
      })
      .catch(function () {
        say("Der Stand ist gerade nicht abrufbar; es wird erneut versucht.");
        window.setTimeout(poll, 5000);
      });
  }
  if (!download.hidden || live.querySelector(".job-failed")) { return; }
  window.setTimeout(poll, 1000);
})();
