"""newsdedup: real-time de-duplication of live news feeds."""

__version__ = "0.1.0"
