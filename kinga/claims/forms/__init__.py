"""The claims forms."""
