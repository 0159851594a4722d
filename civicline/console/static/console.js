/* civicline console: small enhancements; every page works without this file.
   1. The idle time-out warning (WCAG 2.2.1): a dialog before the session ends, with a
      button that extends it.  2. In the flow editor, "line N" links put the cursor on
      that line of the text area, as does opening the editor
      from a flow's picture at a line.  3. A refused form's summary gets the focus. */
(function () {
  "use strict";
  var body = document.body;
  window.civicline = window.civicline || {};

  function csrf() { return body.dataset.csrf || ""; }
  window.civicline.csrf = csrf;

  // ---- 1. time-out warning -------------------------------------------------------
  if (body.dataset.expiresIn) {
    var deadline = Date.now() + Number(body.dataset.expiresIn) * 1000;
    var warnMs = Number(body.dataset.warn || 120) * 1000;
    var dialog = document.getElementById("timeout");
    var leftText = document.getElementById("timeout-left");
    var dismissedFor = 0; // the deadline the person chose to close the warning for
    var checking = false;

    var words = function (ms) {
      var s = Math.max(0, Math.round(ms / 1000)), m = Math.floor(s / 60);
      s = s % 60;
      var parts = [];
      // The units in the staff's language: the dialog's data-say-* attributes.
      var unit = function (n, one, many) { return n + " " + (n === 1 ? dialog.dataset[one] : dialog.dataset[many]); };
      if (m) parts.push(unit(m, "sayMinute", "sayMinutes"));
      if (s || !m) parts.push(unit(s, "saySecond", "saySeconds"));
      return parts.join(" ");
    };
    var refresh = function () {
      // Another tab may have kept the session alive: ask the server before warning.
      return fetch(body.dataset.sessionUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { expires_in: 0 }; })
        .then(function (j) { deadline = Date.now() + j.expires_in * 1000; })
        .catch(function () {});
    };
    window.civicline.activity = function (seconds) {
      deadline = Date.now() + (seconds || Number(body.dataset.idle || 0) || (deadline - Date.now()) / 1000) * 1000;
    };
    var tick = function () {
      var left = deadline - Date.now();
      if (left <= 0) {
        if (!checking) {
          checking = true;
          refresh().then(function () {
            checking = false;
            if (deadline - Date.now() <= 0) window.location.reload(); // the server shows sign-in
          });
        }
        return;
      }
      if (left <= warnMs && !dialog.open && dismissedFor !== deadline && !checking) {
        checking = true;
        refresh().then(function () {
          checking = false;
          if (deadline - Date.now() <= warnMs && !dialog.open) {
            leftText.textContent = words(deadline - Date.now());
            dialog.showModal();
            document.getElementById("timeout-extend").focus();
          }
        });
      }
      if (dialog.open) {
        leftText.textContent = words(left);
        if (left > warnMs) dialog.close();
      }
    };
    document.getElementById("timeout-extend").addEventListener("click", function () {
      fetch(body.dataset.extendUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf(), Accept: "application/json" }
      }).then(function (r) {
        if (!r.ok) { window.location.reload(); return null; }
        return r.json();
      }).then(function (j) {
        if (!j) return;
        deadline = Date.now() + j.expires_in * 1000;
        dialog.close();
      });
    });
    document.getElementById("timeout-close").addEventListener("click", function () {
      dismissedFor = deadline;
      dialog.close();
    });
    setInterval(tick, 1000);
  }

  // ---- 2. flow editor: go to a line ------------------------------------------------
  function goToLine(area, line) {
    var lines = area.value.split("\n"), want = line - 1, start = 0;
    for (var i = 0; i < want && i < lines.length; i++) start += lines[i].length + 1;
    var end = start + (lines[want] || "").length;
    area.focus();
    area.setSelectionRange(start, end);
    // Scroll the line into view: a rough line height is enough.
    var lineHeight = area.scrollHeight / Math.max(lines.length, 1);
    area.scrollTop = Math.max(0, want * lineHeight - area.clientHeight / 3);
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-line]");
    var area = document.getElementById("content");
    if (!link || !area) return;
    event.preventDefault();
    goToLine(area, Number(link.dataset.line));
  });
  // Opened from a flow's picture at a step's line (?line=N): the cursor starts there.
  var opened = document.getElementById("content");
  if (opened && opened.dataset.gotoLine) goToLine(opened, Number(opened.dataset.gotoLine));

  // ---- 3. a refused form: focus its list of problems, each a link to its field ------
  var refused = document.getElementById("form-errors");
  if (refused) refused.focus();
})();
