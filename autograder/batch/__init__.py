"""Grade a whole class: find the submissions, key them by content, grade them in parallel, keep every result.

Each entry of the submissions folder (a folder, a zip or a .py file) is one
submission, named by student id. A pool of long-lived judge processes (one
spawned process per lane, so a judge that dies takes only its own submission
down) grades them one after another with `grading.grade`, each judge keeping
its fork server warm. The driver writes every result atomically as soon as it
is done, under a key made of the submission's content, the assignment's
version and its hidden tests' content hash, so a rerun skips what is already
graded and a killed run loses nothing finished; the earlier result goes to
history/, and changes.py reports who moved and why. Top-level imports stay
light: judges are spawned and pin their threads before numpy or torch is
imported.
"""

from autograder.batch.entries import BatchError
from autograder.batch.local_pool import available_cpus, grade_local
from autograder.batch.run import Summary, run_batch

__all__ = ["BatchError", "Summary", "available_cpus", "grade_local", "run_batch"]
