"""The sorting guide as forms, on a copy of the demo town: change an object's names and
where it goes, add one, remove one; the town's loader then reads what was saved, the rest
of the file stays, bad values are refused at their field, a viewer cannot save."""

from __future__ import annotations

import re
from html import unescape

import pytest

from civicline.console import sorting_edit, town_edit
from flows.town import load_town
from support.console import ROOT, csrf, make_demo_app, sign_in

PO = ROOT / "civicline" / "console" / "translations"


@pytest.fixture
def demo(tmp_path, monkeypatch):
    app, town = make_demo_app(tmp_path, monkeypatch)
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    sign_in(client)
    return app, town, client


def _hash(html: str) -> str:
    return re.search(r'name="base_hash" value="([0-9a-f]*)"', html).group(1)


def _post(client, url: str, page: str, **form):
    html = client.get(page).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf(client), "base_hash": _hash(html), **form})


def test_the_list_names_each_object_in_the_staffs_language_and_where_it_goes(demo):
    _, _, client = demo
    html = unescape(client.get("/console/data/sorting", headers={"Accept-Language": "es"}).get_data(as_text=True))
    assert '<a href="/console/data/sorting/item/sofa">sofá</a></th>\n      <td>los voluminosos, recogidos con cita previa</td>' in html
    assert "<h1>Guía de separación</h1>" in html


def test_change_add_and_remove_objects_as_the_town_reads_them(demo):
    app, town, client = demo
    path = town / "data" / "sorting.yaml"
    before = path.read_text(encoding="utf-8")
    response = _post(client, "/console/data/sorting/item/sofa", "/console/data/sorting/item/sofa",
                     goes="recycling_centre", **{"names-fr": "canapé, divan", "names-en": "sofa, settee", "names-es": "sofá"})
    assert response.status_code == 302, response.get_data(as_text=True)
    response = _post(client, "/console/data/sorting/add", "/console/data/sorting/add", id="old_tv", goes="recycling_centre",
                     **{"names-fr": "vieille télé", "names-en": "old TV, television", "names-es": "televisor viejo"})
    assert response.status_code == 302, response.get_data(as_text=True)
    response = _post(client, "/console/data/sorting/item/armchair/remove", "/console/data/sorting/item/armchair")
    assert response.status_code == 302
    guide = load_town(town).sorting
    assert guide.items["sofa"].goes == "recycling_centre" and guide.items["sofa"].names["en"] == ("sofa", "settee")
    assert guide.items["old_tv"].names["en"] == ("old TV", "television")
    assert "armchair" not in guide.items
    # The running assistant knows the new object at once.
    assert "old_tv" in app.extensions["civicline"].runtime.town.sorting.items
    after = path.read_text(encoding="utf-8")
    assert [line for line in before.split("\n") if line.startswith("#")] == [line for line in after.split("\n") if line.startswith("#")]
    assert len(after.split("\n")) == len(before.split("\n"))  # one line added, one removed
    versions = app.extensions["console"].versions.history("data", "data/sorting.yaml")
    assert [v.author for v in versions] == ["ed", "ed", "ed", "(before the console)"]


@pytest.mark.parametrize(("url", "form", "field", "message"), [
    ("/console/data/sorting/add", {"id": "Old TV", "goes": "bulky", "names-fr": "a", "names-en": "a", "names-es": "a"},
     "id", "cannot be an id"),
    ("/console/data/sorting/add", {"id": "sofa", "goes": "bulky", "names-fr": "a", "names-en": "a", "names-es": "a"},
     "id", "The guide already has an item 'sofa'."),
    ("/console/data/sorting/item/sofa", {"goes": "moon", "names-fr": "a", "names-en": "a", "names-es": "a"},
     "goes", "Choose where it goes"),
    ("/console/data/sorting/item/sofa", {"goes": "bulky", "names-fr": " , ", "names-en": "a", "names-es": "a"},
     "names-fr", "Give at least one name in this language."),
])
def test_a_bad_value_is_refused_at_its_field_and_nothing_is_written(demo, url, form, field, message):
    _, town, client = demo
    before = (town / "data" / "sorting.yaml").read_text(encoding="utf-8")
    response = _post(client, url, url, **form)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422 and message in html
    assert f'href="#item-{field}"' in html and 'aria-invalid="true"' in html
    assert (town / "data" / "sorting.yaml").read_text(encoding="utf-8") == before


def test_a_viewer_cannot_save_and_unknown_objects_are_not_found(demo):
    _, town, client = demo
    client.post("/console/sign-out", data={"csrf_token": csrf(client)})
    sign_in(client, "vi")
    html = client.get("/console/data/sorting/item/sofa").get_data(as_text=True)
    assert "saving needs the editor role" in html and "Remove this object" not in html
    assert client.post("/console/data/sorting/item/sofa", data={"csrf_token": csrf(client)}).status_code == 403
    assert client.post("/console/data/sorting/item/sofa/remove", data={"csrf_token": csrf(client)}).status_code == 403
    assert client.get("/console/data/sorting/item/nope").status_code == 404


def test_every_sorting_message_has_its_french_and_spanish_wording():
    from babel.messages.pofile import read_po

    found = set()
    for args in [("X", "", {"fr": ""}, set(), set()), ("a", "x", {"fr": "b" * 81}, {"x"}, set()),
                 ("a", "x", {"fr": "b"}, {"x"}, {"a"})]:
        with pytest.raises(town_edit.FieldErrors) as refused:
            sorting_edit.check_sorting_item(*args)
        found |= {text for text, _ in refused.value.errors.values()}
    assert len(found) == 5
    for lang in ("fr", "es"):
        with (PO / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
            translated = {m.id for m in read_po(f, locale=lang) if m.id and m.string}
        assert found - translated == set(), lang
