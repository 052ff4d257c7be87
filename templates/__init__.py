"""The built-in report templates; a package so they ship inside the installed storyteller."""
