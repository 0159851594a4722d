"""ONNX Runtime sessions for the models civicline runs itself (Piper, Kokoro, Silero)."""

from __future__ import annotations

from pathlib import Path

from voice.errors import EngineUnavailableError


def open_session(model: str | Path, threads: int, log_severity: int = 3):
    """An inference session on the CPU with at most ``threads`` threads, which sleep when
    they have no work.

    ONNX Runtime's idle threads spin by default. On the phone line a voice, the recogniser's
    workers and every call's VAD share two cores, and a voice's threads spinning after each
    sentence took the cores the recognitions of other calls were waiting for: 10 English
    calls, p95 1.23-1.42 s spinning against 1.06-1.14 s sleeping, alternated in one sitting
    (bench/telephony_results.md).
    """
    try:
        import onnxruntime
    except ImportError as exc:
        raise EngineUnavailableError("the voices and the VAD need 'onnxruntime': pip install 'civicline[voice]'") from exc
    opts = onnxruntime.SessionOptions()
    opts.intra_op_num_threads = max(1, int(threads))
    opts.inter_op_num_threads = 1
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.log_severity_level = log_severity
    return onnxruntime.InferenceSession(str(model), sess_options=opts, providers=["CPUExecutionProvider"])
