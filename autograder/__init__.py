"""An autograder for deep-learning assignments: a trusted judge, a sandboxed worker."""

__version__ = "0.1.0"
