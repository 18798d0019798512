"""The judge's side of the sandbox: start the fork server and each submission's sandbox, control a test's
worker (start, call with a deadline, kill) and its cgroup. The processes themselves run `autograder.worker`."""
