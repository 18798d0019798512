"""The import check, once a grade: which of the submission's modules hang, crash or exit while imported."""

from autograder.sandbox.client import Worker
from autograder.sandbox.launch import WorkerFailure


def broken_modules(sandbox, handle, limit):
    """The submission's modules that hang, crash or exit while imported, found once before the tests.

    Such a module would do it again in every test that imports it; found here, it costs the grade one
    limit, and each test that imports it fails at once with the cause. Ordinary import errors are left
    to the tests. One worker imports everything; only if it dies does each module get a worker of its own.
    """
    modules = [f[:-3].replace("/", ".").removesuffix(".__init__") for f in handle.assignment.files
               if f.endswith(".py")]
    broken = {}

    def check(names):
        worker = Worker(handle.spec(broken), cpu_seconds=int(limit * 2) + 30, sandbox=sandbox)
        try:
            worker.start()
            worker.call_import(names, timeout=limit)
            return None
        except WorkerFailure as failure:
            return str(failure)
        finally:
            worker.stop()

    if check(modules) is not None:
        for name in modules:
            cause = check([name])
            if cause:
                broken[name] = f"importing {name} did not finish when it was checked before the tests: {cause}"
    return broken
