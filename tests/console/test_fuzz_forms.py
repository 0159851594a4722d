"""Fuzzing the staff console's forms and filters, signed in as an administrator (who may
reach every page): any field, any value, any id in the path, with and without the page's
token. Whatever comes in, the answer is never a 5xx."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from hypothesis import given
from hypothesis import strategies as st

from support.console import csrf, sign_in
from support.fuzzing import FUZZ, TEXT

IDS = st.one_of(TEXT.filter(lambda t: t and "/" not in t), st.sampled_from(["main", "waste", "fr", "en", "xx", "..", "1", "streets.csv", "meetings.ics"]))
PATHS = st.one_of(IDS, st.sampled_from(["../../etc/passwd", "a/../../b", "%2e%2e/x", "streets.csv/x", "/abs"]))
FIELDS = ["content", "base_hash", "note", "target", "action", "assignee", "text", "key", "kind", "language",
          "at", "name", "password", "next", "status", "comment", "intent", "example", "phrase", "lang",
          "number", "day-0", "day-6", "closed_on_public_holidays", "amount", "unit", "source"]
FORMS = st.dictionaries(st.one_of(st.sampled_from(FIELDS), TEXT), TEXT, max_size=6)
ACTIONS = st.sampled_from(["assign", "close", "reopen", "note", "verified", "example", "open", "", "x"])

POSTS = st.one_of(
    st.builds(lambda n: f"/console/flows/{quote(n, safe='')}", IDS),
    st.builds(lambda n, s: f"/console/flows/{quote(n, safe='')}/versions/{s}/restore", IDS, st.integers(0, 2**40)),
    st.builds(lambda n: f"/console/data/file/{quote(n, safe='/')}", PATHS),
    st.just("/console/data/ics"),
    st.builds(lambda i: f"/console/review/{quote(i, safe='')}", IDS),
    st.builds(lambda i: f"/console/review/{quote(i, safe='')}/verified", IDS),
    st.builds(lambda i: f"/console/review/{quote(i, safe='')}/example", IDS),
    st.builds(lambda i: f"/console/callbacks/{quote(i, safe='')}", IDS),
    st.builds(lambda lang: f"/console/translations/{quote(lang, safe='')}/prompt", IDS),
    st.just("/console/try/start"),
    st.builds(lambda i: f"/console/try/{quote(i, safe='')}/send", IDS),
    st.just("/console/session/extend"),
    st.builds(lambda i: f"/console/data/human-lines/{quote(i, safe='')}", IDS),
    st.builds(lambda i: f"/console/data/fees/{quote(i, safe='')}", IDS),
    st.builds(lambda i: f"/console/data/sorting/item/{quote(i, safe='')}", IDS),
    st.builds(lambda i: f"/console/data/sorting/item/{quote(i, safe='')}/remove", IDS),
    st.just("/console/data/sorting/add"),
)
GETS = st.one_of(
    st.sampled_from(["/console/", "/console/calls", "/console/dashboard", "/console/review", "/console/callbacks",
                     "/console/flows", "/console/data", "/console/translations", "/console/try", "/console/session",
                     "/console/data/human-lines", "/console/data/fees", "/console/data/sorting",
                     "/console/data/sorting/add", "/console/data/next-collections"]),
    st.builds(lambda n: f"/console/flows/{quote(n, safe='')}/picture", IDS),
    st.builds(lambda i: f"/console/calls/{quote(i, safe='')}", IDS),
    st.builds(lambda i: f"/console/review/{quote(i, safe='')}", IDS),
    st.builds(lambda n: f"/console/flows/{quote(n, safe='')}", IDS),
    st.builds(lambda n, s: f"/console/flows/{quote(n, safe='')}/versions/{s}", IDS, st.integers(0, 2**70)),
    st.builds(lambda n: f"/console/data/file/{quote(n, safe='/')}", PATHS),
    st.builds(lambda i, n: f"/console/try/{quote(i, safe='')}/audio/{n}", IDS, st.integers(0, 2**70)),
)
ARGS = st.dictionaries(
    st.one_of(st.sampled_from(["from", "to", "page", "q", "language", "outcome", "trials", "status", "id", "speech", "next"]), TEXT),
    st.one_of(TEXT, st.integers(-(2**70), 2**70).map(str), st.sampled_from(["9999-12-31", "0001-01-01", "2026-02-30", "-1"])),
    max_size=4,
)


def test_any_form_to_any_page_gets_no_server_error(client):
    assert sign_in(client, "ad").status_code == 302

    @FUZZ
    @given(POSTS, FORMS, st.sampled_from(["valid", "valid", "missing", "other"]), ACTIONS)
    def post(path, form, token, action) -> None:
        data = dict(form)
        data.setdefault("action", action)
        if token == "valid":
            data["csrf_token"] = csrf(client)
        elif token == "other":
            data["csrf_token"] = "é" + csrf(client)[1:]
        r = client.post(path, data=data)
        assert r.status_code < 500, (path, data, r.status_code, r.get_data(as_text=True)[:300])

    post()


def test_any_filter_on_any_page_gets_no_server_error(client):
    assert sign_in(client, "ad").status_code == 302

    @FUZZ
    @given(GETS, ARGS)
    def get(path, args) -> None:
        url = path + ("?" + urlencode(args) if args else "")
        r = client.get(url)
        assert r.status_code < 500, (url, r.status_code, r.get_data(as_text=True)[:300])

    get()


def test_any_sign_in_gets_no_server_error(client):
    @FUZZ
    @given(FORMS, st.booleans())
    def attempt(form, with_token) -> None:
        client.get("/console/sign-in")
        data = {**form, **({"csrf_token": csrf(client)} if with_token else {})}
        r = client.post("/console/sign-in", data=data)
        assert r.status_code < 500, (data, r.status_code, r.get_data(as_text=True)[:300])

    attempt()
