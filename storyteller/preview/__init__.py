"""The live preview: in-memory rebuilds and the local server."""
