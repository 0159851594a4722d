"""The town's Open311 GeoReport v2 endpoint: the client (wire format) and the desk that keeps
every request in the records first and files it, retrying while the endpoint is down."""
