#!/usr/bin/env bash
# Debian packages civicline needs: installed only when missing, so a second run is instant.
set -euo pipefail
PACKAGES=(
    # voice: last-resort TTS and real phone recordings for the WER evaluation
    # (the base packages hold the transcripts, the -wav ones the recordings)
    espeak-ng
    asterisk-core-sounds-en
    asterisk-core-sounds-fr
    asterisk-core-sounds-es
    asterisk-core-sounds-en-wav
    asterisk-core-sounds-fr-wav
    asterisk-core-sounds-es-wav
    # the same recordings through the GSM 06.10 codec of a mobile network, decoded by sox
    # for the WER evaluation of mobile callers (voice/channel.py)
    asterisk-core-sounds-en-gsm
    asterisk-core-sounds-fr-gsm
    asterisk-core-sounds-es-gsm
    sox
    # Italian, a language a town may add: the same three kinds of files
    asterisk-core-sounds-it
    asterisk-core-sounds-it-wav
    asterisk-core-sounds-it-gsm
    # nlu: rule-based machine translation (English<->Spanish, French<->Spanish;
    # French<->English goes through Spanish)
    apertium
    apertium-eng-spa
    apertium-fr-es
    # console: the browser tests drive Debian's chromium through Playwright (tests/console)
    chromium
    # several workers: the tests start a throw-away redis-server on 127.0.0.1 (tests/support)
    redis-server
    # several machines: the tests start a throw-away PostgreSQL cluster (initdb, pg_ctl) on
    # 127.0.0.1 (tests/support/postgres_server.py)
    postgresql
    # make run: the background render runs in its own process group (setsid), stopped
    # whole with the server (kill -- -group)
    util-linux
    procps
)
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then SUDO="sudo"; else
        echo "civicline needs these Debian packages: ${missing[*]}" >&2
        echo "Install them as root (apt-get install ${missing[*]}) and run again." >&2
        exit 1
    fi
fi
echo "Installing Debian packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
