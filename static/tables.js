/* planner: a table wider than its scroll region (.table-scroll) gets a visible cue – a hint above
   it and, while there is more to the right, a fading right edge (class more-right). Without
   JavaScript the region still scrolls. No inline script (CSP). */
(function () {
  "use strict";
  var HINT = "Die Tabelle ist breiter als das Fenster: seitlich verschieben (Wischen oder Pfeiltasten) →";

  function update(region) {
    var overflows = region.scrollWidth > region.clientWidth + 1;
    var hint = region.previousElementSibling;
    if (!hint || !hint.classList.contains("scroll-hint")) {
      if (!overflows) { return; }
      hint = document.createElement("p");
      hint.className = "scroll-hint";
      hint.setAttribute("aria-hidden", "true");  // a cue for the eye; the region's name says what it holds
      hint.textContent = HINT;
      region.parentNode.insertBefore(hint, region);
    }
    hint.hidden = !overflows;
    region.classList.toggle("more-right", overflows && region.scrollLeft + region.clientWidth < region.scrollWidth - 1);
  }

  var regions = Array.prototype.slice.call(document.querySelectorAll(".table-scroll"));
  regions.forEach(function (region) {
    update(region);
    region.addEventListener("scroll", function () { update(region); }, { passive: true });
  });
  if (window.ResizeObserver) {
    var observer = new ResizeObserver(function (entries) { entries.forEach(function (e) { update(e.target); }); });
    regions.forEach(function (region) { observer.observe(region); });
  }
}());
