// The chat page without reloads: the forms are sent in the background and the answers added
// to the conversation (a live region, so screen readers read them); a person's answers are
// fetched while one has the conversation. Without this file the page works as plain forms.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var send = document.getElementById("send");
  if (!log || !send || !window.fetch || !window.FormData) { return; }
  var list = log.querySelector("ol");
  var latest = parseInt(log.getAttribute("data-latest") || "-1", 10);
  var polling = null;

  function label(by) {
    return log.getAttribute("data-" + by) || by;
  }

  function add(messages) {
    messages.forEach(function (m) {
      if (m.seq <= latest) { return; }
      var li = document.createElement("li");
      li.className = "from-" + m.by;
      var p = document.createElement("p");
      p.className = "who";
      p.textContent = label(m.by);
      var text = document.createElement("p");
      text.className = "text";
      text.innerHTML = m.html; // escaped by the server, links only
      li.appendChild(p);
      li.appendChild(text);
      list.appendChild(li);
      latest = m.seq;
    });
  }

  function setToken(token) {
    if (!token) { return; }
    document.querySelectorAll("input[name=token]").forEach(function (input) { input.value = token; });
    if (!send.querySelector("input[name=token]")) {
      var input = document.createElement("input");
      input.type = "hidden"; input.name = "token"; input.value = token;
      send.appendChild(input);
    }
  }

  function quick(options, token) {
    var box = document.getElementById("quick");
    box.textContent = "";
    if (!options || !options.length) { return; }
    var form = document.createElement("form");
    form.method = "post"; form.action = send.action; form.className = "quick";
    var fieldset = document.createElement("fieldset");
    var legend = document.createElement("legend");
    legend.textContent = box.getAttribute("data-legend") || "";
    fieldset.appendChild(legend);
    var hidden = document.createElement("input");
    hidden.type = "hidden"; hidden.name = "token"; hidden.value = token || "";
    fieldset.appendChild(hidden);
    options.forEach(function (o) {
      var b = document.createElement("button");
      b.type = "submit"; b.name = "message"; b.value = o[0]; b.textContent = o[1];
      fieldset.appendChild(b);
    });
    form.appendChild(fieldset);
    box.appendChild(form);
    form.addEventListener("submit", submit);
  }

  function showError(text) {
    var error = document.getElementById("error");
    if (!error) {
      error = document.createElement("p");
      error.id = "error"; error.className = "error"; error.setAttribute("role", "alert");
      send.insertBefore(error, send.firstChild);
    }
    error.textContent = text;
    var field = document.getElementById("message");
    field.setAttribute("aria-invalid", "true");
    field.setAttribute("aria-describedby", "error");
  }

  function clearError() {
    var error = document.getElementById("error");
    if (error) { error.parentNode.removeChild(error); }
    var field = document.getElementById("message");
    field.removeAttribute("aria-invalid");
    field.removeAttribute("aria-describedby");
  }

  function submit(event) {
    event.preventDefault();
    var form = event.target;
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) { data.set(event.submitter.name, event.submitter.value); }
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin",
                         headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (!res.ok) { showError(res.body.error || ""); return; }
        clearError();
        add(res.body.messages || []);
        setToken(res.body.token);
        quick(res.body.quick, res.body.token);
        if (form === send) { document.getElementById("message").value = ""; }
        document.getElementById("message").focus();
        watch(res.body.with_person);
      })
      .catch(function () { form.submit(); });
  }

  function watch(withPerson) {
    if (withPerson && !polling) {
      polling = window.setInterval(function () {
        fetch(log.getAttribute("data-messages-url") + "?after=" + latest,
              { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) { return r.json(); })
          .then(function (body) { add(body.messages || []); if (body.ended) { window.clearInterval(polling); polling = null; } });
      }, 10000);
    }
  }

  send.addEventListener("submit", submit);
  document.querySelectorAll("form.quick").forEach(function (f) { f.addEventListener("submit", submit); });
  watch(log.hasAttribute("data-with-person"));
})();
