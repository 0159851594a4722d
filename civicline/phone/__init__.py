"""The phone line whatever carries it: the calls in progress between two requests, and the
speech machinery (recognisers, voices, audio cache) every call shares."""
