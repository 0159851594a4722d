/* "Try a call": sends the forms without reloading the page, plays the replies' audio, and
   records the microphone as 16 kHz WAV for recognition on the server. Without this file
   every form still works by reloading the page. */
(function () {
  "use strict";
  var call = document.getElementById("call");
  if (!call) return;
  var log = document.getElementById("log");
  var errorBox = document.getElementById("try-error");
  var player = document.getElementById("player");
  var play = document.getElementById("play");
  var queue = [], playing = false;
  var csrf = function () { return window.civicline && window.civicline.csrf ? window.civicline.csrf() : ""; };
  // The page's words in the staff's language: data-say-* attributes of the call's section.
  var phrase = function (name) { return call.dataset["say" + name.charAt(0).toUpperCase() + name.slice(1)] || ""; };

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  function playNext() {
    if (playing || !queue.length || !play || !play.checked) return;
    playing = true;
    player.src = call.dataset.audioUrl + queue.shift();
    player.play().catch(function () { playing = false; });
  }
  if (player) {
    player.addEventListener("ended", function () { playing = false; playNext(); });
    player.addEventListener("error", function () {
      playing = false; queue = [];
      if (play) { play.checked = false; }
      showError(phrase("noVoice"));
    });
  }

  function received(data) {
    errorBox.hidden = true;
    log.insertAdjacentHTML("beforeend", data.html);
    (data.entries || []).forEach(function (e) { if (e.audio !== undefined) queue.push(e.audio); });
    playNext();
    if (window.civicline.activity) window.civicline.activity();
    if (data.ended) {
      call.querySelectorAll("form.ajax button, form.ajax input, #mic").forEach(function (el) { el.disabled = true; });
      var h = document.getElementById("call-title");
      h.textContent = phrase("ended");
    }
    if (data.language) {
      var say = document.getElementById("say");
      if (say) say.setAttribute("lang", data.language);
    }
  }

  function post(url, body, headers) {
    headers = headers || {};
    headers["X-CSRF-Token"] = csrf();
    headers.Accept = "application/json";
    return fetch(url, { method: "POST", body: body, headers: headers, credentials: "same-origin" })
      .then(function (r) {
        return r.json().catch(function () { return { error: phrase("serverAnswered").replace("%(status)s", r.status) }; })
          .then(function (j) { if (!r.ok) throw new Error(j.error || phrase("serverAnswered").replace("%(status)s", r.status)); return j; });
      });
  }

  call.querySelectorAll("form.ajax").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      if (event.submitter && event.submitter.name) data.set(event.submitter.name, event.submitter.value);
      post(form.action, data).then(function (j) {
        received(j);
        form.querySelectorAll("input[type=text], input:not([type])").forEach(function (i) { i.value = ""; });
      }).catch(function (err) { showError(err.message); });
    });
  });

  // ---- microphone ------------------------------------------------------------------
  var voice = document.getElementById("voice-controls");
  var mic = document.getElementById("mic");
  var micStatus = document.getElementById("mic-status");
  if (voice) voice.hidden = false;
  var canRecord = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.AudioContext);
  if (mic && !canRecord) {
    mic.disabled = true;
    micStatus.textContent = phrase("cannotRecord");
  }
  var recording = null;

  function wav(chunks, rate) {
    var length = chunks.reduce(function (n, c) { return n + c.length; }, 0);
    var target = 16000, ratio = rate / target, out = Math.floor(length / ratio);
    var all = new Float32Array(length), at = 0;
    chunks.forEach(function (c) { all.set(c, at); at += c.length; });
    var buffer = new ArrayBuffer(44 + out * 2), view = new DataView(buffer);
    var text = function (o, s) { for (var i = 0; i < s.length; i++) view.setUint8(o + i, s.charCodeAt(i)); };
    text(0, "RIFF"); view.setUint32(4, 36 + out * 2, true); text(8, "WAVE"); text(12, "fmt ");
    view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, 1, true);
    view.setUint32(24, target, true); view.setUint32(28, target * 2, true);
    view.setUint16(32, 2, true); view.setUint16(34, 16, true); text(36, "data"); view.setUint32(40, out * 2, true);
    for (var i = 0; i < out; i++) {  // averaging down-sampler: enough for speech recognition
      var from = Math.floor(i * ratio), to = Math.min(length, Math.floor((i + 1) * ratio)), sum = 0;
      for (var j = from; j < to; j++) sum += all[j];
      var s = Math.max(-1, Math.min(1, sum / Math.max(1, to - from)));
      view.setInt16(44 + i * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true);
    }
    return new Blob([buffer], { type: "audio/wav" });
  }

  function stop() {
    var r = recording;
    recording = null;
    mic.setAttribute("aria-pressed", "false");
    mic.textContent = phrase("speak");
    r.node.disconnect(); r.source.disconnect();
    r.stream.getTracks().forEach(function (t) { t.stop(); });
    r.context.close();
    micStatus.textContent = phrase("recognising");
    post(call.dataset.speechUrl, wav(r.chunks, r.context.sampleRate), { "Content-Type": "audio/wav" })
      .then(function (j) { micStatus.textContent = ""; received(j); })
      .catch(function (err) { micStatus.textContent = ""; showError(err.message); });
  }

  if (mic && canRecord) mic.addEventListener("click", function () {
    if (recording) { stop(); return; }
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      var context = new AudioContext();
      var source = context.createMediaStreamSource(stream);
      var node = context.createScriptProcessor(4096, 1, 1);
      var chunks = [];
      node.onaudioprocess = function (e) { chunks.push(new Float32Array(e.inputBuffer.getChannelData(0))); };
      source.connect(node); node.connect(context.destination);
      recording = { stream: stream, context: context, source: source, node: node, chunks: chunks };
      mic.setAttribute("aria-pressed", "true");
      mic.textContent = phrase("stop");
      micStatus.textContent = phrase("recording");
    }).catch(function (err) { showError(phrase("noMicrophone") + " " + err.message); });
  });
})();
