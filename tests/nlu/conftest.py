"""The nlu tests import their helpers from nlu_helpers (this folder is on sys.path)."""
