"""A flow's picture: every step of a flow file with what it says in the staff's language,
each menu's keys with their spoken names and where they lead, each step linking to its
line in the YAML editor; drawn from the flows the assistant runs, so a saved change shows."""

from __future__ import annotations

import re
from html import unescape

from support.console import csrf


def _page(client, path: str, lang: str = "en") -> str:
    response = client.get(path, headers={"Accept-Language": lang})
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _section(html: str, node_id: str) -> str:
    anchor = "node-" + node_id.replace(".", "-")
    return re.search(rf'<section class="box" id="{anchor}".*?</section>', html, re.S).group(0)


def test_the_menu_shows_each_key_its_spoken_name_and_where_it_leads(editor, town):
    html = _page(editor, "/console/flows/main.yaml/picture")
    menu = _section(html, "main.menu")
    rows = re.findall(r'<tr><th scope="row">(\w)</th><td>(.*?)</td><td>(.*?)</td></tr>', menu)
    assert [(key, re.sub(r"<[^>]+>", "", label).strip(), re.sub(r"<[^>]+>", "", to).strip()) for key, label, to in rows] == [
        ("1", "waste collection", "waste.start (in waste.yaml)"),
        ("2", "council meetings", "meetings.start (in meetings.yaml)"),
    ]
    assert 'href="/console/flows/waste.yaml/picture#node-waste-start"' in menu
    # What the menu says, in English, with its key.
    assert "How can I help you? Waste collection or council meetings?" in unescape(menu)
    # The box links to its line of the file.
    line = (town / "flows" / "main.yaml").read_text().splitlines().index("  menu:") + 1
    assert f'href="/console/flows/main.yaml?line={line}#content"' in menu


def test_every_node_of_the_file_is_a_box_in_the_files_order(editor, town):
    html = _page(editor, "/console/flows/waste.yaml/picture")
    ids = re.findall(r'<section class="box" id="node-waste-(\w+)"', html)
    text = (town / "flows" / "waste.yaml").read_text()
    written = re.findall(r"^  ([a-z_]+):$", text, re.M)
    assert ids == written
    confirm = unescape(_section(html, "waste.confirm"))
    assert "If yes:" in confirm and "#node-waste-lookup" in confirm and "If no:" in confirm
    assert "If not_found:" in _section(html, "waste.start")
    assert "common.person" in _section(html, "waste.unknown")


def test_the_picture_speaks_the_staffs_language(editor):
    fr = unescape(_page(editor, "/console/flows/main.yaml/picture", "fr"))
    assert "<h1>Schéma d'un parcours</h1>" in fr
    assert "les collectes de déchets" in fr and "Que puis-je faire pour vous ?" in fr
    es = unescape(_page(editor, "/console/flows/main.yaml/picture", "es"))
    assert "¿En qué puedo ayudarle?" in es and "<h1>Esquema de un recorrido</h1>" in es


def test_a_saved_flow_shows_in_the_picture_at_once(editor, town):
    path = town / "flows" / "main.yaml"
    page = editor.get("/console/flows/main.yaml").get_data(as_text=True)
    base = re.search(r'name="base_hash" value="([0-9a-f]*)"', page).group(1)
    text = path.read_text().replace("{key: 2, intent: meetings.next", "{key: 5, intent: meetings.next")
    response = editor.post("/console/flows/main.yaml", data={"content": text, "base_hash": base, "csrf_token": csrf(editor)})
    assert response.status_code == 302
    menu = _section(_page(editor, "/console/flows/main.yaml/picture"), "main.menu")
    assert re.findall(r'<tr><th scope="row">(\w)</th>', menu) == ["1", "5"]


def test_the_editor_opens_at_a_line_and_refuses_odd_ones(editor):
    assert 'data-goto-line="12"' in _page(editor, "/console/flows/main.yaml?line=12")
    assert "data-goto-line" not in _page(editor, "/console/flows/main.yaml?line=99999")
    assert "data-goto-line" not in _page(editor, "/console/flows/main.yaml?line=-3")


def test_a_viewer_sees_the_picture_and_unknown_files_are_not_found(viewer):
    assert "main.menu" in _page(viewer, "/console/flows/main.yaml/picture")
    assert viewer.get("/console/flows/../secrets/picture").status_code == 404
    assert viewer.get("/console/flows/nope.yaml/picture").status_code == 404


def test_the_flows_page_links_each_picture(editor):
    html = _page(editor, "/console/flows")
    assert 'href="/console/flows/main.yaml/picture">Picture of main.yaml</a>' in html
