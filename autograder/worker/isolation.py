"""Confine the current process: namespaces, an allowlist root, a private scratch, no capabilities, rlimits.

The zygote enters the namespaces and the view once per submission; each worker it forks takes a
private scratch, drops its capabilities and sets rlimits before any submission code runs. What
took effect is returned so the results can say which protections were active.
"""

import ctypes
import os
import platform
import resource
import signal
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
MNT_DETACH = 2
_SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
# The only variables a worker (and the fork server it descends from) ever holds, besides the engine's own.
KEPT_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "PYTHONPATH", "LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES",
            "PYTORCH_NVML_BASED_CUDA_CHECK")
THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS")
SCRATCH = "/scratch"   # inside the view: the worker's HOME, TMPDIR and working directory
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP = 1, 4, 24
PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 38, 47, 4
_CAP_VERSION_3 = 0x20080522
# statvfs flag -> mount flag, for the options a read-only remount must keep (the kernel refuses to clear locked ones).
_STATVFS_FLAGS = {os.ST_NOSUID: MS_NOSUID, os.ST_NODEV: MS_NODEV, os.ST_NOEXEC: MS_NOEXEC,
                  os.ST_NOATIME: MS_NOATIME, os.ST_NODIRATIME: MS_NODIRATIME, os.ST_RELATIME: MS_RELATIME}

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]


def _check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source, target, fstype, flags, data=None):
    enc = lambda s: None if s is None else str(s).encode()
    _check(_libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


def prctl(option, arg=0):
    _check(_libc.prctl(option, arg, 0, 0, 0), f"prctl {option}")


def unshare_namespaces(mode="auto"):
    """Enter new mount, network and PID namespaces; returns how ("root", "user-namespace") or None.

    mode "auto" uses root's privileges where it has them, else a user namespace;
    "userns" always takes the user-namespace path (what a TA's laptop gets); "none" skips namespaces.
    The PID namespace applies to the children of the caller: fork after this.
    """
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID
    if mode == "none":
        return None
    if mode == "auto" and os.geteuid() == 0 and _libc.unshare(flags) == 0:
        return "root"
    uid, gid = os.geteuid(), os.getegid()
    if _libc.unshare(flags | CLONE_NEWUSER) != 0:
        return None
    try:
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
        Path("/proc/self/gid_map").write_text(f"0 {gid} 1")
    except OSError:
        return None
    return "user-namespace"


def _kept_flags(path):
    """The source mount's locked flags, which a read-only remount inside a user namespace must keep."""
    f_flag = os.statvfs(path).f_flag
    return sum(ms for st, ms in _STATVFS_FLAGS.items() if f_flag & st)


def _place(source, target):
    """Create `target` as a folder or an empty file, like `source`."""
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()


def _bind(source, target, read_only=True):
    if not os.path.exists(source):
        raise OSError(2, f"{source} does not exist")
    _place(source, target)
    _mount(source, target, None, MS_BIND | MS_REC)
    if read_only:
        _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | _kept_flags(source))


def enter_view(new_root, view, placed):
    """Make a fresh tmpfs at `new_root` holding only `view` and `placed` ({path inside: host path}), all
    read-only, and pivot into it; the host's root is detached and unreachable afterwards.

    Runs as PID 1 of new mount and PID namespaces, so the /proc mounted here shows only this sandbox.
    """
    inside = lambda path: os.path.join(new_root, path.lstrip("/"))
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", new_root, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=755")
    for path in view.binds:
        _bind(path, inside(path))
    for target, source in placed.items():
        _bind(source, inside(target))
    for path in view.masks:
        _mount("tmpfs", inside(path), "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "size=4k,mode=755")
    for path, target in view.symlinks.items():
        os.symlink(target, inside(path))
    for path in view.devices:
        _bind(path, inside(path), read_only=False)
    for name, target in {"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1",
                         "stderr": "/proc/self/fd/2"}.items():
        os.symlink(target, inside(f"/dev/{name}"))
    for path, data in view.files.items():
        os.makedirs(os.path.dirname(inside(path)), exist_ok=True)
        with open(inside(path), "wb") as f:
            f.write(data)
    for path in ("/dev/shm", SCRATCH, "/proc"):
        os.makedirs(inside(path), exist_ok=True)
    if not os.path.exists(inside("/tmp")):  # else an allowlisted path lies under /tmp (a checkout there, say)
        os.symlink(f"{SCRATCH}/tmp", inside("/tmp"))
    _mount("proc", inside("/proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _mount(None, new_root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chdir(new_root)
    _check(_libc.syscall(_SYS_PIVOT_ROOT[platform.machine()], b".", b"."), "pivot_root")
    _check(_libc.umount2(b".", MNT_DETACH), "detach the host's root")
    os.chdir("/")


def private_scratch(size_mb):
    """A fresh, empty, size-capped scratch (and /dev/shm) for one worker, in its own mount namespace."""
    _check(_libc.unshare(CLONE_NEWNS), "unshare")
    _mount("tmpfs", SCRATCH, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size_mb}m,mode=700")
    _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")


def drop_privileges():
    """Drop every capability for good and forbid regaining any (setuid binaries included)."""
    last_cap = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    for cap in range(last_cap + 1):
        _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    _check(_libc.capset(ctypes.byref(Header(_CAP_VERSION_3, 0)), (Data * 2)()), "capset")
    prctl(PR_SET_NO_NEW_PRIVS, 1)


def set_rlimits(memory_mb, file_mb, open_files, cpu_seconds):
    """Per-process limits; the cgroup (when there is one) also bounds the whole process tree."""
    applied = {}
    limits = {
        "RLIMIT_DATA": memory_mb * 2**20 if memory_mb else None,
        "RLIMIT_FSIZE": file_mb * 2**20,
        "RLIMIT_NOFILE": open_files,
        "RLIMIT_CORE": 0,
        "RLIMIT_CPU": cpu_seconds,
    }
    for name, value in limits.items():
        if value is None:
            continue
        try:
            resource.setrlimit(getattr(resource, name), (value, value))
            applied[name] = value
        except (ValueError, OSError):
            pass
    # A write past RLIMIT_FSIZE should fail with an error, not kill the worker silently.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    return applied
