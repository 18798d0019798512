from autograder.judge.grading import *  # noqa: F401,F403  (temporary, while the A3/A5 tests move)
from autograder.judge.grading import grade  # noqa: F401
