"""The practice session: the quiz loop, exam mode and spaced review."""
