"""``[voice] denoise`` reaches the speech engines, and a wrong value stops the start with
its place."""

import pytest

from civicline.config import ConfigError, load_config
from civicline.wiring import speech_engines


def test_the_denoise_setting_reaches_the_engines(tmp_path):
    file = tmp_path / "civicline.toml"
    file.write_text('[voice]\ndenoise = "spectral-gate"\n')
    assert speech_engines(load_config(file, env={})).denoise == "spectral-gate"
    assert speech_engines(load_config(file, env={"CIVICLINE_DENOISE": "none"})).denoise is None
    assert load_config(tmp_path / "civicline.toml", env={}).denoise == "spectral-gate"


def test_a_wrong_denoise_value_is_refused_with_its_place(tmp_path):
    file = tmp_path / "civicline.toml"
    file.write_text('[voice]\ndenoise = "rnnoise"\n')
    with pytest.raises(ConfigError, match=r"\[voice\] denoise.*spectral-gate"):
        load_config(file, env={})
