"""The pure computational core: no file, database or network access (a test checks it)."""
