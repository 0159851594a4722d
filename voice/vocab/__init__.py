"""A town's answers as a closed vocabulary: pieces rendered ahead, joined at speaking time.

``pieces`` cuts spoken text into vocabulary pieces and pauses; ``manifest`` keeps what was
rendered (text, audio key, score); ``assemble`` joins the pieces' audio for the phone line;
``render`` makes the pieces, choosing for each the candidate the recogniser hears best."""
