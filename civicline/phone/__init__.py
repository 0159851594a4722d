"""The phone line whatever carries it: the calls in progress between two requests, the
dialog of a call's media stream, and the speech machinery (recognisers, voices, audio cache)
every call shares."""
