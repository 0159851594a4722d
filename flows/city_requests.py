"""Requests a caller makes of the city's own systems (a missed collection, a bulky-item
pickup), as the flows see them: what is asked, and what became of it.

The flows never talk to a city's system themselves: a handler hands the request to the
runtime's ``desk`` (built by the shell: civicline/open311), which keeps it in the records
first and files it to the town's Open311 endpoint, or puts it on the staff's list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

SERVICES = ("missed_collection", "bulky_pickup")


@dataclass(frozen=True)
class CityRequest:
    """service:  one of SERVICES
    address:     as read back to the caller ("12 Rue du Port") and the town's name
    description: what the caller said it is about (the bin, the objects)
    phone:       the callback number the caller confirmed, E.164"""

    call_id: str
    service: str
    address: str
    description: str
    phone: str
    language: str


@dataclass(frozen=True)
class Filed:
    """filed: the city's system took it (its ``service_request_id``, or a ``token`` when it
    gives the id later); pending: kept, to be sent again; for_staff: on the staff's list."""

    status: Literal["filed", "pending", "for_staff"]
    reference: str
    """our own reference, read to the caller when the city's id is not known"""
    service_request_id: str | None = None
    notice: str | None = None


class CityDesk(Protocol):
    def file(self, request: CityRequest) -> Filed:
        """Keeps the request, then files it if it can; never raises for a city's outage."""
        ...
