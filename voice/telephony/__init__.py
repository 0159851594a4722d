"""Telephony at the audio edge: the real-time loop of one call's media stream, the same for
every provider; each provider's messages come in through a :class:`~voice.telephony.wire.WireFormat`."""
