"""An autograder for deep-learning assignments: a trusted judge, a sandboxed worker.

Packages by the side they run on: `judge/` grades (pytest over the hidden tests, never importing the
submission), `sandbox/` is the judge's control of the sandboxes, `worker/` is everything imported inside them
beside the student's code, `course/` and `batch/` are the lifecycle around a grade, and `authoring` is the one
API courses write hidden tests and probes against.
"""

__version__ = "0.1.0"
