"""Machine translation behind one interface: `translate(text, source, target)`.

Engines (apertium, argos) are tried in order by a `TranslatorChain`; a missing, slow
or failing engine falls through to the next one, and in the end to no translation.
"""

from nlu.translate.base import Engine, Translation, TranslationError
from nlu.translate.chain import TranslatorChain, default_chain

__all__ = ["Engine", "Translation", "TranslationError", "TranslatorChain", "default_chain"]
