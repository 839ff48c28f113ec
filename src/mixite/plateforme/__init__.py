"""The shared web platform of mixite (Django, the State design system, htmx).

Its pages show what the library computes, for the viewer's scope: the platform never
computes differently from the command line (tests compare them).
"""
