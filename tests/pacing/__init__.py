"""The pacer: long work in short turns of the event loop."""
