/* planner: warn before the idle session ends and offer to extend it (WCAG 2.2.1): the warning
   takes the focus to its button and gives it back after the extension; fill a form
   with the input kept when it was sent after the session had ended. No inline script (CSP). */
(function () {
  "use strict";
  var box = document.getElementById("sitzung");
  if (!box) { return; }
  var panel = box.querySelector(".session-box");
  var warning = box.querySelector(".session-warning");
  var expired = box.querySelector(".session-expired");
  var minutes = box.querySelector(".session-minutes");
  var button = box.querySelector(".session-extend");
  var status = box.querySelector(".session-status");
  var warnBefore = Number(box.getAttribute("data-warn-seconds")) * 1000;
  var deadline = Date.now() + Number(box.getAttribute("data-idle-seconds")) * 1000;  // counted from the page's load
  var timers = [];
  var returnTo = null;  // where the focus was when the warning took it

  function clear() { timers.forEach(clearTimeout); timers = []; }
  function later(fn, ms) { timers.push(setTimeout(fn, Math.max(0, ms))); }
  function minutesLeft() { return Math.max(1, Math.ceil((deadline - Date.now()) / 60000)); }

  function warn() {
    var n = minutesLeft();
    minutes.textContent = n === 1 ? "1 Minute" : n + " Minuten";
    var appears = panel.hidden || warning.hidden;
    expired.hidden = true;
    warning.hidden = false;
    panel.hidden = false;
    if (appears) {  // one key press extends the session: the focus goes to the button, and back after
      var active = document.activeElement;
      returnTo = active && active !== document.body && active !== button ? active : null;
      button.focus();
    }
    later(warn, 60000);  // the count of minutes stays right
  }

  function expire() {
    clear();
    warning.hidden = true;
    expired.hidden = false;
    panel.hidden = false;
  }

  function schedule() {
    clear();
    later(warn, deadline - warnBefore - Date.now());
    later(expire, deadline - Date.now());
  }

  button.addEventListener("click", function () {
    fetch(box.getAttribute("data-extend-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": box.getAttribute("data-csrf"), "Accept": "application/json" }
    }).then(function (response) {
      var type = response.headers.get("content-type") || "";
      if (!response.ok || type.indexOf("json") === -1) { throw new Error("expired"); }
      return response.json();
    }).then(function (data) {
      deadline = Date.now() + data.remaining_seconds * 1000;
      panel.hidden = true;
      warning.hidden = true;
      status.textContent = "Die Sitzung wurde verlängert.";
      if (returnTo && document.contains(returnTo)) { returnTo.focus(); }
      returnTo = null;
      schedule();
    }).catch(expire);
  });

  schedule();

  /* a form kept across an expired session: put the values back into the form that has these fields */
  var kept = box.getAttribute("data-kept");
  if (!kept) { return; }
  var fields = JSON.parse(kept);
  var names = fields.map(function (f) { return f[0]; });
  var form = Array.prototype.find.call(document.querySelectorAll("main form"), function (f) {
    return names.some(function (n) { return f.elements.namedItem(n); });
  });
  if (!form) { return; }
  var values = {};
  fields.forEach(function (f) { (values[f[0]] = values[f[0]] || []).push(f[1]); });
  Array.prototype.forEach.call(form.elements, function (el) {
    if (!el.name || !(el.name in values) || el.name === "csrf_token") { return; }
    var vals = values[el.name];
    if (el.type === "checkbox" || el.type === "radio") {
      el.checked = vals.indexOf(el.value) !== -1;
    } else if (el.tagName === "SELECT" && el.multiple) {
      Array.prototype.forEach.call(el.options, function (o) { o.selected = vals.indexOf(o.value) !== -1; });
    } else if (el.type !== "file" && el.type !== "submit" && el.type !== "button") {
      el.value = vals.shift();
    }
  });
  /* a checkbox that was unticked is absent from the sent fields: untick the ones of this form */
  Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox]"), function (el) {
    if (!(el.name in values)) { el.checked = false; }
  });
  var notice = document.createElement("p");
  notice.className = "flash flash-warning";
  notice.setAttribute("role", "alert");
  notice.id = "wiederhergestellt";
  notice.textContent = "Ihre Sitzung war abgelaufen. Das Formular enthält wieder Ihre Eingaben; "
    + "sie sind noch nicht gespeichert – bitte prüfen und erneut absenden.";
  form.parentNode.insertBefore(notice, form);
}());
