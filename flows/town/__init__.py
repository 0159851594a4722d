"""A town's data: streets and zones, collections, meetings, permits and human lines.

``load_town(path)`` reads ``towns/<town>/town.yaml`` and the data files it names;
``check_town(path)`` returns every problem with its file and line. See docs/town-data.md.
"""

from flows.town.town import Town, check_town, load_town

__all__ = ["Town", "check_town", "load_town"]
