"""The report's content and HTML: the context, formatting, Markdown, charts and templates."""
