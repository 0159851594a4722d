"""The speech subcommands, run in-process through civicline's entry point."""

import numpy as np
import pytest

from civicline.cli import main
from voice.audio.wav import read_wav, write_wav


@pytest.mark.slow
def test_say_then_transcribe(tmp_path, capsys):
    out = tmp_path / "fr.wav"
    assert main(["say", "La collecte a lieu le mardi 1er décembre à 19 h.", "--lang", "fr", "-o", str(out), "--phone"]) == 0
    assert "premier décembre à dix-neuf heures" in capsys.readouterr().out
    samples, rate = read_wav(out)
    assert rate == 8000 and len(samples) > 8000
    assert main(["transcribe", str(out), "--lang", "fr"]) == 0
    heard = capsys.readouterr().out.lower()
    assert "collecte" in heard and "décembre" in heard


@pytest.mark.slow
def test_say_slow_is_longer(tmp_path, capsys):
    a, b = tmp_path / "a.wav", tmp_path / "b.wav"
    assert main(["say", "Press 1 for yes, 2 for no.", "--lang", "en", "-o", str(a)]) == 0
    assert main(["say", "Press 1 for yes, 2 for no.", "--lang", "en", "-o", str(b), "--slow"]) == 0
    assert len(read_wav(b)[0]) > len(read_wav(a)[0]) * 1.1


def test_bad_input_is_one_line_and_exit_1(tmp_path, capsys):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    assert main(["transcribe", str(empty), "--lang", "fr"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("civicline: ") and "Traceback" not in err
    write_wav(tmp_path / "ok.wav", np.zeros(800, np.int16), 8000)
    assert main(["transcribe", str(tmp_path / "ok.wav"), "--lang", "xx"]) == 1
    assert "no speech recognition configured for 'xx'" in capsys.readouterr().err


def test_models_list(capsys):
    code = main(["models", "list", "--no-verify"])
    out = capsys.readouterr().out
    assert code == 0, out
    for lang in ("en", "fr", "es", "ko"):
        assert f"\n{lang:5} stt" in out
    assert "MISSING" not in out


def test_models_list_says_which_native_voice_files_are_there(tmp_path, capsys, monkeypatch):
    from voice.tts import kokoro_voices

    monkeypatch.setenv("CIVICLINE_MODELS_DIR", str(tmp_path))
    config = tmp_path / "voices.toml"
    config.write_text('[voice.languages.fr.tts]\nengine = "kokoro"\nmodel = "builtin:kokoro-v1.0-int8"\nvoice = "ff_siwis"\n')
    code = main(["--config", str(config), "models", "list", "--no-verify"])
    out = capsys.readouterr().out
    assert code == 1, out  # French speaks with the fallback style: something to fix
    assert "FALLBACK to jf_gongitsune" in out
    table = out.split("Kokoro voice files", 1)[1].splitlines()[2:]  # after the title and the header
    lines = {line.split()[0]: line for line in table}
    assert set(lines) == set(kokoro_voices.NATIVE_VOICES)
    assert "FALLBACK: not installed" in lines["ff_siwis"] and " fr " in lines["ff_siwis"]
    assert "absent: not installed" in lines["im_nicola"]


def test_prompts_render_renders_the_vocabulary_once(tmp_path, capsys, monkeypatch):
    # Render with a fake voice: this checks the command's plumbing, not synthesis speed.
    from voice.engines import SpeechEngines
    from voice.tts import cache as cache_mod
    from voice.tts.base import Speech, Synthesizer
    from voice.vocab.manifest import Manifest

    made = []

    class Fake(Synthesizer):
        name = "fake"
        voice_id = "fake"

        def synthesize(self, text, language, slow=False):
            made.append(text)
            return Speech(np.ones(800, np.int16), 8000)

    monkeypatch.setattr(SpeechEngines, "synthesizer", lambda self, lang: Fake())
    stale = tmp_path / "00" / ("00" + "1" * 62 + ".ulaw")  # a sentence an older version cached whole
    stale.parent.mkdir()
    stale.write_bytes(b"\xff")
    args = ["prompts", "render", "--lang", "fr", "--cache-dir", str(tmp_path), "--workers", "1", "--no-score"]
    assert main(args) == 0
    out = capsys.readouterr().out
    manifest = Manifest.load(tmp_path, "fr")
    files = list(tmp_path.rglob("*.ulaw"))
    # The catalog's fragments, the town's streets, every date of the coming year, phone digit pairs.
    assert len(manifest.pieces) > 800 and len(files) == len(manifest.pieces) == len(made)
    from datetime import date, timedelta

    from translations.formatting import format_day
    from voice.tts.speech_text import format_for_speech
    from voice.vocab.pieces import piece_key

    in_a_year = piece_key(format_for_speech(format_day(date.today() + timedelta(days=365), "fr"), "fr"))
    for key in ("rue victor hugo", "zéro six", in_a_year, "dix-neuf heures", "vous avez dit :"):
        assert key in manifest.pieces, key
    assert "fr:" in out and "removed 1 audio file" in out and not stale.exists()
    assert cache_mod.AudioCache(tmp_path).get(files[0].stem) is not None
    made.clear()
    assert main(args) == 0
    assert made == [] and ", 0 rendered," in capsys.readouterr().out  # nothing changed: nothing rendered
    assert main(["prompts", "render", "--report", "--cache-dir", str(tmp_path)]) == 0
    assert f"fr: {len(manifest.pieces)} pieces (fake)" in capsys.readouterr().out


def test_models_list_judges_only_the_languages_callers_are_offered(tmp_path, capsys, monkeypatch):
    """A fresh machine prepares the town's languages (fr, en, es): Italian's voice, which the
    demo town does not offer, is shown as missing but does not fail the check."""
    from voice.modelstore import models_dir
    from voice.tts import kokoro_voices

    real = models_dir()
    for entry in real.iterdir():
        if entry.name != kokoro_voices.FOLDER:
            (tmp_path / entry.name).symlink_to(entry)
    (tmp_path / kokoro_voices.FOLDER).mkdir()
    for voice in (real / kokoro_voices.FOLDER).iterdir():
        if not voice.name.startswith("i"):  # if_sara, im_nicola: Italian
            (tmp_path / kokoro_voices.FOLDER / voice.name).symlink_to(voice)
    monkeypatch.setenv("CIVICLINE_MODELS_DIR", str(tmp_path))
    code = main(["models", "list", "--no-verify"])
    out = capsys.readouterr().out
    assert code == 0, out
    table = out.split("Kokoro voice files", 1)[1].splitlines()[2:]
    lines = {line.split()[0]: line for line in table}
    assert "FALLBACK: not installed" in lines["if_sara"] and "ok" in lines["ff_siwis"]
