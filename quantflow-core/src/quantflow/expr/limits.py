"""Hard bounds that keep parsing, checking and evaluation of untrusted text cheap and finite."""

MAX_LENGTH = 10_000  # characters of expression text
MAX_DEPTH = 64  # nesting of operators, calls and parentheses
MAX_WINDOW = 100_000  # bars in a window or lag (also TA-Lib's own upper bound)
