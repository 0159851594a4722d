"""Staff see the requests to the city's systems: those the endpoint did not take yet, those
the town has no endpoint for; they note, assign and close them; an emergency is a review
item of its own kind."""

from __future__ import annotations

from support.console import csrf

ROW = {"id": "AB12CD34", "call_id": "c1", "created_at": "2026-12-01T09:00:00.000+00:00", "language": "fr",
       "service": "bulky_pickup", "address": "12 Rue du Port, Port-Lumière", "description": "un canapé",
       "phone": "+33612345678", "status": "for_staff", "last_error": "the town has no Open311 endpoint"}


def post(client, url: str, **data):
    return client.post(url, data={"csrf_token": csrf(client), **data})


def test_the_staff_list_shows_requests_and_closing_deletes_the_number(app, editor, store):
    store.add_city_request(ROW)
    store.add_city_request({**ROW, "id": "PENDING1", "status": "pending", "last_error": "HTTP 503"})
    page = editor.get("/console/city-requests").get_data(as_text=True)
    assert "reference AB12CD34" in page and "un canapé" in page and "no Open311 endpoint" in page
    assert "reference PENDING1" in page and "HTTP 503" in page
    only = editor.get("/console/city-requests?status=pending").get_data(as_text=True)
    assert "PENDING1" in only and "AB12CD34" not in only
    assert editor.get("/console/city-requests?status=lost").status_code == 422
    assert post(editor, "/console/city-requests/AB12CD34", action="note", note="booked for Friday").status_code == 302
    assert post(editor, "/console/city-requests/AB12CD34", action="close").status_code == 302
    row = store.city_request("AB12CD34")
    assert row["status"] == "closed" and row["phone"] is None and "booked for Friday" in row["note"]
    assert post(editor, "/console/city-requests/AB12CD34", action="close").status_code == 409
    assert post(editor, "/console/city-requests/NOPE", action="close").status_code == 404


def test_an_emergency_shows_on_the_review_list(app, editor, store):
    store.add_review_item({"id": "em1", "call_id": "c9", "kind": "emergency", "created_at": "2026-12-01T09:00:00.000+00:00",
                           "reason": "emergency: fire, heard by words", "context": {"heard": "il y a le feu"}})
    page = editor.get("/console/review").get_data(as_text=True)
    assert "Emergency: fire, heard by its words" in page  # the reason, said for staff
