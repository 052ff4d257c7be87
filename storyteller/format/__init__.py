"""The story format: located YAML, field declarations, stories, config, loading, checks, schema and docs."""
