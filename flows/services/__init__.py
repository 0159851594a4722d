"""Handlers behind the town's services. Importing this package registers them."""

from flows.services import callback, meetings, permits, requests, sorting, waste  # noqa: F401  (registration)
