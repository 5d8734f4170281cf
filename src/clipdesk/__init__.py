"""clipdesk: newsroom and public archive for broadcast-media monitoring."""

__version__ = "0.1.0"
