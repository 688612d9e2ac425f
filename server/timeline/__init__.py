"""The researcher's pages: the timeline at `/` (with its CSV, JSON and TimelineJS twins) and the
query page at `/query`, rendered on the server from a date-ordered index of events."""

from .views import bp

__all__ = ["bp"]
