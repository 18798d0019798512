"""Confine the current process: namespaces, read-only mounts, hidden secrets, no capabilities, rlimits.

Called inside the freshly forked worker before any submission code runs. Every
step is best effort where the OS refuses it; what took effect is returned so the
results can say which protections were active.
"""

import ctypes
import os
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
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP = 1, 4, 24
PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 38, 47, 4
_CAP_VERSION_3 = 0x20080522
# Mount options that must be kept on a read-only remount (the kernel refuses to clear locked ones).
_KEPT_FLAGS = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC,
               "noatime": MS_NOATIME, "nodiratime": MS_NODIRATIME, "relatime": MS_RELATIME}

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
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


def _mount_points():
    """Mount points of this namespace with their kept flags, parents before children."""
    points = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        target = fields[4].replace("\\040", " ")
        flags = 0
        for opt in fields[5].split(","):
            flags |= _KEPT_FLAGS.get(opt, 0)
        points.append((target, flags))
    return points


def _under(path, roots):
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def confine_filesystem(scratch, secrets):
    """Make everything read-only and hide `secrets`, leaving only `scratch` writable.

    Runs in the new mount and PID namespaces (as PID 1 of the latter).
    """
    scratch = os.path.realpath(scratch)
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    scratch_fd = os.open(scratch, os.O_PATH | os.O_DIRECTORY)
    hidden = []
    for secret in secrets:
        secret = os.path.realpath(secret)
        if os.path.isdir(secret):
            _mount("tmpfs", secret, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=755")
            hidden.append(secret)
    # The scratch folder may lie under a hidden root: bind it back from the fd opened before.
    if _under(scratch, hidden):
        os.makedirs(scratch, exist_ok=True)
    _mount(f"/proc/self/fd/{scratch_fd}", scratch, None, MS_BIND)
    os.close(scratch_fd)
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
    for target, flags in _mount_points():
        if _under(target, ["/proc", "/dev"]) and target != "/dev/shm":
            continue
        try:
            _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags)
        except OSError:
            pass  # a mount we cannot remount (already gone or locked) stays as it was
    for target, flags in _mount_points():
        if target in (scratch, "/dev/shm"):
            _mount(None, target, None, MS_REMOUNT | MS_BIND | flags)
    return hidden


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
