"""The PDF: a report laid out whole or in parts, and the parts joined."""
