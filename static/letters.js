/* planner: a letter typed on a select marked data-letter-choice chooses the first option whose
   text starts with it – and leaves a value alone that already starts with it, so that a second
   pass through a table changes nothing ("m" keeps "mittel" and "mittel/hoch"; the steps between
   by the arrow keys). The browser's own type-ahead would go on to the next option. */
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.hasAttribute("data-letter-choice")) { return; }
    if (event.key.length !== 1 || event.ctrlKey || event.altKey || event.metaKey) { return; }
    var letter = event.key.toLocaleLowerCase("de");
    if (!/\p{L}/u.test(letter)) { return; }
    event.preventDefault();
    var starts = function (option) { return option.text.trim().toLocaleLowerCase("de").indexOf(letter) === 0; };
    var current = select.options[select.selectedIndex];
    if (current && starts(current)) { return; }
    var match = Array.prototype.find.call(select.options, starts);
    if (!match) { return; }
    select.value = match.value;
    select.dispatchEvent(new Event("input", { bubbles: true }));
    select.dispatchEvent(new Event("change", { bubbles: true }));
  });
}());
