"""newsdedup: real-time de-duplication of live news feeds."""
