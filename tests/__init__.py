"""storyteller test suite."""
