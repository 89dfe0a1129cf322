"""okr-coach: review draft OKRs. `from coach import review`."""

__version__ = "0.1.0"
