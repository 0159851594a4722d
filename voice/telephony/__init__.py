"""Telephony at the audio edge: Twilio's Media Streams wire format and the per-call loop."""
