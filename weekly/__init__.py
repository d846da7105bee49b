"""weekly: the team's Friday one-page status report."""

__version__ = "0.1.0"
