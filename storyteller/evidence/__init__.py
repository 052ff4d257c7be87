"""Evidence inside the report: the files a PDF carries (pack.py), reading them back from a PDF
that may be hostile (read.py), and `storyteller verify` recomputing every figure (verify.py)."""
