"""What the tests of the service in writing (tests/text) share: the account's token (the
same as the phone line's tests, as both set it in the environment), the town's SMS number,
and the demo town's clock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

TOKEN = "test-auth-token-" + "x" * 16
TOWN_NUMBER = "+33199000000"
# Tuesday 1 December 2026, 10:15 in Port-Lumière: the town hall is open.
NOW = datetime(2026, 12, 1, 10, 15, tzinfo=ZoneInfo("Europe/Paris"))
