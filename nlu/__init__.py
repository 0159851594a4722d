"""Understanding callers' text: normalisation, intents, entities, language, translation.

Pure functions and small classes built once from catalog data; nlu imports nothing
from flows, voice or civicline (the street list and examples are passed in).
"""
