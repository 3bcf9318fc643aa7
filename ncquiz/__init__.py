"""ncquiz: exam-style practice for a Neural Computation course."""

__version__ = "0.1.0"
