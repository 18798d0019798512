"""The hidden test split of assignment 4: its seed lives only here, and the scenes are drawn in the judge.

Only the images are sent to the worker; the masks and boxes never leave the judge, and neither does
the seed (with it, the student's code could draw the same scenes and their labels).
"""
import functools

from autograder.data import generate_scenes

HIDDEN_SEED = 73_310_519
N_TEST = 500


@functools.lru_cache(maxsize=1)
def hidden_split():
    """The 500 hidden test scenes, with labels (generate_scenes' dict)."""
    return generate_scenes(N_TEST, seed=HIDDEN_SEED)
