"""A fake Twilio on 127.0.0.1 that speaks the documented protocols to civicline.

It signs webhooks with RequestValidator, follows the TwiML it gets back (Play, Say, Gather,
Record, Redirect, Connect/Stream, Dial/Number, Hangup) and, for Media Streams, sends the
caller's audio as paced 20 ms μ-law frames with silence in between (as a phone line does),
echoes our marks once the audio before them has arrived, and keeps what the caller heard.
Tests wait on what the caller has received or sent (:meth:`MediaLeg.wait_for`), not on time.
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import itertools
import json
import queue
import re
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urljoin

import numpy as np
import requests
from twilio.request_validator import RequestValidator
from websockets.sync.client import connect

from civicline.twilio import media_messages as tm
from voice.audio.codec import pcm16_to_ulaw

ACCOUNT = "AC" + "1" * 32
_ids = itertools.count(1)


def new_sid(prefix: str) -> str:
    return f"{prefix}{next(_ids):032x}"


@dataclass
class Prompt:
    """Audio the caller received between two marks (one reply), and when it began."""

    audio: bytearray = field(default_factory=bytearray)
    first_frame_at: float | None = None
    cleared: bool = False
    mark: str | None = None


class MediaLeg:
    """The caller's side of a Media Streams websocket."""

    def __init__(self, ws_url: str, call_sid: str, params: dict[str, str]) -> None:
        self.side = tm.TwilioSide(new_sid("MZ"), call_sid, ACCOUNT)
        self.ws = connect(ws_url, open_timeout=5, close_timeout=2, legacy=True)
        self.prompts: list[Prompt] = []
        self.done: queue.Queue[Prompt] = queue.Queue()
        self.current = Prompt()
        self.outbound_errors: list[str] = []
        self.clears = 0
        self.closed = threading.Event()
        self.received = 0  # bytes of audio received, all prompts together
        self.changed = threading.Condition()  # notified on each message either way, and on close
        self._audio: queue.Queue[tuple[bytes, bool]] = queue.Queue()
        self._unsent = 0  # frames of the caller's speech not on the line yet
        self._send_lock = threading.Lock()
        self.last_voiced_at: float | None = None
        self.latencies: list[float] = []  # caller's last voiced frame -> first reply frame
        self._awaiting_reply = False
        self._expect_clear = False  # spoke over a prompt: its frames keep coming until the clear
        self.send(self.side.connected())
        self.send(self.side.start(params))
        threading.Thread(target=self._receive, daemon=True).start()
        threading.Thread(target=self._line, daemon=True).start()

    def send(self, raw: str) -> None:
        with self._send_lock:
            if not self.closed.is_set():
                try:
                    self.ws.send(raw)
                except Exception:
                    self._close()

    def _close(self) -> None:
        self.closed.set()
        self._changed()

    def _changed(self) -> None:
        with self.changed:
            self.changed.notify_all()

    def wait_for(self, predicate, timeout: float = 60.0) -> bool:
        """Until ``predicate()`` holds (checked whenever a message comes or goes, so keep it
        cheap); False on time-out."""
        with self.changed:
            return self.changed.wait_for(predicate, timeout)

    def heard_for(self, seconds: float, timeout: float = 60.0) -> None:
        """Until the caller has heard ``seconds`` of the prompt now playing."""
        assert self.wait_for(lambda: len(self.current.audio) >= seconds * tm.RATE or self.closed.is_set(), timeout)
        assert not self.closed.is_set(), "the stream closed"

    def wait_more(self, seconds: float, timeout: float = 60.0) -> bool:
        """Until ``seconds`` more audio has come (or the stream closed); False on time-out."""
        with self.changed:
            target = self.received + seconds * tm.RATE
            return self.changed.wait_for(lambda: self.received >= target or self.closed.is_set(), timeout)

    def said_all(self, timeout: float = 60.0) -> None:
        """Until the speech given to :meth:`say` has all gone out on the line."""
        assert self.wait_for(lambda: self._unsent == 0 or self.closed.is_set(), timeout)

    def _receive(self) -> None:
        try:
            for raw in self.ws:
                with self.changed:
                    self._take(raw)
                    self.changed.notify_all()
        except Exception:
            pass
        self._close()

    def _take(self, raw: str) -> None:
        msg = tm.parse_outbound(raw)
        if isinstance(msg, tm.Media):
            now = time.monotonic()
            if self.current.first_frame_at is None:
                self.current.first_frame_at = now
                if self._awaiting_reply and not self._expect_clear and self.last_voiced_at is not None:
                    self.latencies.append(now - self.last_voiced_at)
                    self._awaiting_reply = False
            self.current.audio += msg.payload
            self.received += len(msg.payload)
        elif isinstance(msg, tm.Mark):
            self.current.mark = msg.name
            self._close_prompt()
            self.send(self.side.mark(msg.name))  # played: frames arrive in real time
        elif isinstance(msg, tm.Clear):
            self.clears += 1
            self._expect_clear = False
            self.current.cleared = True
            self._close_prompt()
        else:
            self.outbound_errors.append(msg.reason)

    def _close_prompt(self) -> None:
        prompt, self.current = self.current, Prompt()
        self.prompts.append(prompt)
        self.done.put(prompt)

    def _line(self) -> None:
        """20 ms frames, always: the caller's audio when there is some, silence otherwise."""
        start, n, silence = time.monotonic(), 0, b"\xff" * tm.FRAME_BYTES
        while not self.closed.is_set():
            try:
                frame, voiced = self._audio.get_nowait()
                spoken = True
            except queue.Empty:
                frame, voiced, spoken = silence, False, False
            self.send(self.side.media(frame))
            if voiced:
                if self.current.first_frame_at is not None and not self._awaiting_reply:
                    self._expect_clear = True
                self.last_voiced_at = time.monotonic()
                self._awaiting_reply = True
            if spoken:
                with self.changed:
                    self._unsent -= 1
                    self.changed.notify_all()
            n += 1
            # The phone line's own pace (a caller speaks in real time), not a wait for a thread.
            self.closed.wait(max(0.0, start + n * 0.02 - time.monotonic()))

    def say(self, samples8k: np.ndarray) -> None:
        """Queue the caller's speech (8 kHz int16); it goes out paced with the line."""
        ulaw = pcm16_to_ulaw(np.asarray(samples8k, np.int16))
        ulaw += b"\xff" * (-len(ulaw) % tm.FRAME_BYTES)
        energy = np.abs(np.asarray(samples8k, np.float32))
        last_voiced = int(np.nonzero(energy > 300)[0][-1]) // 160 if energy.max() > 300 else -1
        with self.changed:
            for i in range(0, len(ulaw), tm.FRAME_BYTES):
                self._unsent += 1
                self._audio.put((ulaw[i : i + tm.FRAME_BYTES], i // tm.FRAME_BYTES <= last_voiced))

    def press(self, digit: str) -> None:
        self.send(self.side.dtmf(digit))

    def next_prompt(self, timeout: float = 60.0) -> Prompt:
        return self.done.get(timeout=timeout)

    def wait_closed(self, timeout: float = 20.0) -> bool:
        return self.closed.wait(timeout)

    def hang_up(self) -> None:
        self.send(self.side.stop())
        self._close()
        self.ws.close()


@dataclass(frozen=True)
class SentMessage:
    """A message civicline asked Twilio to send (POST .../Messages.json)."""

    sid: str
    to: str
    sender: str  # From, or the MessagingServiceSid
    body: str


class Recordings(http.server.ThreadingHTTPServer):
    """Twilio's REST API, on 127.0.0.1, with basic auth: recordings (GET <url>.wav, DELETE
    <url>.json) and messages (POST /2010-04-01/Accounts/<AC>/Messages.json, answered as
    Twilio documents it: 201 and the message resource, or 400 and an error with its code)."""

    def __init__(self, account: str, token: str) -> None:
        self.account, self.token = account, token
        self.files: dict[str, bytes] = {}
        self.deleted: list[str] = []
        self.unauthorised = 0
        self.messages: list[SentMessage] = []
        self.refuse_messages: int | None = None  # a Twilio error code to answer messages with
        self.changed = threading.Condition()
        super().__init__(("127.0.0.1", 0), _RecordingHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def wait_messages(self, count: int, timeout: float = 20.0) -> list[SentMessage]:
        """Until ``count`` messages were sent (or time-out); the messages."""
        with self.changed:
            self.changed.wait_for(lambda: len(self.messages) >= count, timeout)
            return list(self.messages)

    def wait_deleted(self, timeout: float = 20.0) -> bool:
        """Until every recording made has been deleted (civicline deletes them in the
        background once fetched); False on time-out."""
        with self.changed:
            return bool(self.changed.wait_for(lambda: bool(self.deleted) and not self.files, timeout))

    def add(self, wav: bytes) -> str:
        sid = new_sid("RE")
        self.files[sid] = wav
        return f"http://127.0.0.1:{self.server_address[1]}/2010-04-01/Accounts/{self.account}/Recordings/{sid}"


class _RecordingHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # quiet
        pass

    def _auth(self) -> bool:
        want = "Basic " + base64.b64encode(f"{self.server.account}:{self.server.token}".encode()).decode()
        if self.headers.get("Authorization") != want:
            self.server.unauthorised += 1
            self.send_response(401)
            self.end_headers()
            return False
        return True

    def do_GET(self) -> None:
        sid = self.path.rsplit("/", 1)[-1].removesuffix(".wav")
        if not self._auth():
            return
        data = self.server.files.get(sid)
        self.send_response(200 if data else 404)
        self.end_headers()
        if data:
            self.wfile.write(data)

    def do_POST(self) -> None:
        if not self._auth():
            return
        prefix = f"/2010-04-01/Accounts/{self.server.account}/Messages.json"
        if self.path != prefix:
            return self._json(404, {"code": 20404, "message": "The requested resource was not found", "status": 404})
        length = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        to, body = form.get("To", ""), form.get("Body", "")
        sender = form.get("From") or form.get("MessagingServiceSid", "")
        if self.server.refuse_messages is not None:
            code = self.server.refuse_messages
            return self._json(400, {"code": code, "message": "Twilio refused the message", "status": 400,
                                    "more_info": f"https://www.twilio.com/docs/errors/{code}"})
        if not re.fullmatch(r"\+[1-9][0-9]{6,14}", to):
            return self._json(400, {"code": 21211, "message": f"Invalid 'To' Phone Number: {to}", "status": 400,
                                    "more_info": "https://www.twilio.com/docs/errors/21211"})
        if not sender:
            return self._json(400, {"code": 21603, "message": "A 'From' or 'MessagingServiceSid' parameter is required",
                                    "status": 400, "more_info": "https://www.twilio.com/docs/errors/21603"})
        if not body or len(body) > 1600:
            return self._json(400, {"code": 21617, "message": "The concatenated message body exceeds the 1600 "
                                    "character limit", "status": 400})
        message = SentMessage(new_sid("SM"), to, sender, body)
        with self.server.changed:
            self.server.messages.append(message)
            self.server.changed.notify_all()
        self._json(201, {
            "sid": message.sid, "account_sid": self.server.account, "to": to, "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"), "body": body, "status": "queued",
            "num_segments": str(-(-len(body) // 153)), "direction": "outbound-api", "api_version": "2010-04-01",
            "uri": f"{prefix[:-5]}/{message.sid}.json", "price": None, "error_code": None, "error_message": None,
        })

    def _json(self, status: int, data: dict) -> None:
        raw = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_DELETE(self) -> None:
        sid = self.path.rsplit("/", 1)[-1].removesuffix(".json")
        if not self._auth():
            return
        with self.server.changed:
            self.server.deleted.append(sid)
            self.server.files.pop(sid, None)
            self.server.changed.notify_all()
        self.send_response(204)
        self.end_headers()


@dataclass
class Caller:
    """What the caller does at each TwiML-only turn: a key, a recorded answer, or nothing."""

    turns: list[tuple[str, object]] = field(default_factory=list)
    dial: list[str] = field(default_factory=list)  # DialCallStatus for each <Dial>


class FakeTwilio:
    def __init__(self, base: str, token: str, recordings: Recordings | None = None) -> None:
        self.base, self.token = base.rstrip("/"), token
        self.validator = RequestValidator(token)
        self.recordings = recordings
        self.requests: list[tuple[str, dict]] = []

    def post(self, url: str, params: dict[str, str], signature: str | None = None, **kw) -> requests.Response:
        url = urljoin(self.base + "/", url)
        sig = signature if signature is not None else self.validator.compute_signature(url, params)
        self.requests.append((url, params))
        return requests.post(url, data=params, headers={"X-Twilio-Signature": sig, **kw.pop("headers", {})}, timeout=120, **kw)

    def sms(self, body: str, sender: str = "+33611223344", message_sid: str | None = None,
            to: str = "+33199000000") -> requests.Response:
        """A resident's text message, delivered to the Messaging webhook as Twilio does."""
        params = {"MessageSid": message_sid or new_sid("SM"), "SmsSid": "", "AccountSid": ACCOUNT, "From": sender,
                  "To": to, "Body": body, "NumMedia": "0", "NumSegments": "1", "ApiVersion": "2010-04-01"}
        params["SmsSid"] = params["MessageSid"]
        return self.post("/twilio/sms", params)

    def incoming(self, caller: str = "+33611223344", call_sid: str | None = None,
                 to: str = "+33199000000") -> tuple[str, dict, requests.Response]:
        params = {"CallSid": call_sid or new_sid("CA"), "AccountSid": ACCOUNT, "From": caller, "To": to, "CallStatus": "ringing", "Direction": "inbound"}
        return params["CallSid"], params, self.post("/twilio/voice", params)

    def stream(self, response: requests.Response, call_sid: str) -> MediaLeg:
        """Start the <Connect><Stream> a webhook answered with."""
        root = ET.fromstring(response.text)
        stream = root.find("./Connect/Stream")
        assert stream is not None, response.text
        params = {p.get("name"): p.get("value") for p in stream.findall("Parameter")}
        return MediaLeg(stream.get("url"), call_sid, params)

    def connect_action(self, response: requests.Response, params: dict) -> requests.Response:
        action = ET.fromstring(response.text).find("./Connect").get("action")
        return self.post(action, {**params, "CallStatus": "in-progress"})

    def follow(self, response: requests.Response, params: dict, caller: Caller, heard: list, agent: list) -> str:
        """Carry out TwiML until a hang-up; returns how it ended."""
        for _ in range(60):
            assert response.status_code == 200, (response.status_code, response.text)
            nxt = self._run(ET.fromstring(response.text), params, caller, heard, agent)
            if isinstance(nxt, str):
                return nxt
            response = nxt
        raise AssertionError("TwiML never ended")

    def _play(self, verb: ET.Element, heard: list) -> None:
        if verb.tag == "Play":
            got = requests.get(verb.text.strip(), timeout=30)
            assert got.status_code == 200 and got.content[:4] == b"RIFF", verb.text
            heard.append(("play", verb.text.strip(), got.content))
        elif verb.tag == "Say":
            heard.append(("say", verb.text, verb.get("language")))

    def _run(self, root: ET.Element, params: dict, caller: Caller, heard: list, agent: list):
        for verb in root:
            if verb.tag in ("Play", "Say"):
                self._play(verb, heard)
            elif verb.tag == "Gather":
                for inner in verb:
                    self._play(inner, heard)
                kind, value = caller.turns[0] if caller.turns else ("hangup", None)
                if kind == "key":
                    caller.turns.pop(0)
                    return self.post(verb.get("action"), {**params, "Digits": str(value)})
            elif verb.tag == "Record":
                kind, value = caller.turns.pop(0) if caller.turns else ("hangup", None)
                if kind == "say":
                    url = self.recordings.add(value)
                    return self.post(verb.get("action"), {**params, "RecordingUrl": url, "RecordingSid": url.rsplit("/", 1)[1], "RecordingDuration": "2", "Digits": ""})
                if kind == "hangup":
                    return "caller hung up"
                # silence: Twilio skips the action when nothing was recorded
            elif verb.tag == "Redirect":
                return self.post(verb.text.strip(), params)
            elif verb.tag == "Dial":
                number = verb.find("Number")
                if number is not None and number.get("url"):
                    child = {**params, "CallSid": new_sid("CA"), "ParentCallSid": params["CallSid"], "Direction": "outbound-dial"}
                    whisper = self.post(number.get("url"), child)
                    for inner in ET.fromstring(whisper.text):
                        self._play(inner, agent)
                status = caller.dial.pop(0) if caller.dial else "completed"
                agent.append(("dialled", number.text.strip(), verb.get("callerId"), status))
                return self.post(verb.get("action"), {**params, "DialCallStatus": status, "DialCallSid": new_sid("CA")})
            elif verb.tag == "Hangup":
                return "hangup"
            elif verb.tag == "Connect":
                return "connect"
        return "end of TwiML"

    def status(self, params: dict, status: str = "completed") -> requests.Response:
        return self.post("/twilio/status", {**params, "CallStatus": status})


def known_audio(index: dict[bytes, str], audio: bytes) -> list[str]:
    """The sentences (by their exact synthesised audio) found in what the caller heard.

    The index may hold a sentence and the parts it was joined from: where matches overlap,
    the longest one is what was said; a sentence sent in two chunks back to back (what was
    ready, then the rest once a piece was made live) counts once.
    μ-law has two codes for zero (0x7F, 0xFF): a WAV round trip may swap them."""
    audio = bytes(audio).replace(b"\x7f", b"\xff")
    found: list[tuple[int, int, str]] = []
    for data, text in list(index.items()):
        probe = data[: len(data) - 160].replace(b"\x7f", b"\xff")
        if len(probe) > 800 and probe in audio:
            start = audio.index(probe)
            found.append((start, start + len(probe), text))
    kept: list[tuple[int, int, str]] = []
    for start, end, text in sorted(found, key=lambda f: f[0] - f[1]):  # longest first
        if all(end <= s or start >= e for s, e, _ in kept):
            kept.append((start, end, text))
    said: list[tuple[int, str]] = []
    for start, end, text in sorted(kept):
        if said and said[-1][1] == text and start - said[-1][0] <= 160:
            said[-1] = (end, text)
        else:
            said.append((end, text))
    return [t for _, t in said]


def wav_ulaw(wav: bytes) -> bytes:
    """What a <Play>ed WAV sounds like on the line (8 kHz μ-law)."""
    from voice.audio.wav import read_wav

    samples, rate = read_wav(wav)
    assert rate == 8000
    return pcm16_to_ulaw(samples)


def heard_text(index: dict[bytes, str], heard: list) -> list[str]:
    """Every known sentence in what a caller (or agent) heard through <Play>/<Say>."""
    out: list[str] = []
    for item in heard:
        if item[0] == "play":
            out += known_audio(index, wav_ulaw(item[2]))
        elif item[0] == "say":
            out.append(item[1])
    return out


@contextlib.contextmanager
def twilio_secrets_set(token: str):
    """The Twilio credentials a server reads from its environment, set for a test session
    and put back as they were afterwards."""
    import os

    saved = {k: os.environ.get(k) for k in ("TWILIO_AUTH_TOKEN", "TWILIO_ACCOUNT_SID")}
    os.environ["TWILIO_AUTH_TOKEN"], os.environ["TWILIO_ACCOUNT_SID"] = token, ACCOUNT
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
