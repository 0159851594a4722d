"""`check_town(path)`: every problem in a town's data, with file and line (for
`civicline data check` and for the server's start-up)."""

from flows.town.town import check_town

__all__ = ["check_town"]
