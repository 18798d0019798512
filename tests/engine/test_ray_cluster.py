"""A Ray cluster as a TA starts one (`ray start --head`, token authentication on), and addresses that do not work."""

import csv
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autograder import batch
from autograder.batch import ray_connect

pytest.importorskip("ray")

CPU = '{"kind": "cpu", "factor": 1.0}'
REFERENCE = "def add(a, b):\n    return a + b\n\ndef slow():\n    return 1\n"
WRONG = "def add(a, b):\n    return a + b + 1\n\ndef slow():\n    return 1\n"


def free_ports(n):
    """n ports nothing listens on (from the ephemeral range, clear of Ray's worker ports 10002-19999)."""
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def group_members(pgid):
    """The pids of the live processes in process group `pgid`."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def stop_group(pgid, grace_s=10.0):
    """Stop this one cluster: every process `ray start` left in its own process group (a bare `ray stop` would
    stop every Ray instance on the machine, other tests' included)."""
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return []
        deadline = time.monotonic() + wait_s
        while group_members(pgid) and time.monotonic() < deadline:
            time.sleep(0.2)
    return group_members(pgid)


@pytest.fixture
def ray_cluster(tmp_path):
    """A head node started by `ray start --head` with a token in HOME/.ray/auth_token, so Ray turns token
    authentication on; its own temp dir, ports and HOME; no RAY_* variable from this process."""
    home = tmp_path / "home"
    (home / ".ray").mkdir(parents=True)
    (home / ".ray" / "auth_token").write_text(secrets.token_hex(32))
    temp_dir = tempfile.mkdtemp(prefix="ag-ray-", dir="/tmp")   # Ray's socket paths must stay under 108 bytes
    cluster_env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")} | {"HOME": str(home)}
    port, client_port, agent_port = free_ports(3)
    head = subprocess.Popen([str(Path(sys.executable).parent / "ray"), "start", "--head", f"--port={port}",
                             f"--temp-dir={temp_dir}", "--num-cpus=2", "--num-gpus=0", "--include-dashboard=false",
                             "--disable-usage-stats", f"--ray-client-server-port={client_port}",
                             f"--dashboard-agent-listen-port={agent_port}"],
                            env=cluster_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)   # the cluster's processes: one group of their own
    try:
        log, _ = head.communicate(timeout=120)
        assert head.returncode == 0, log[-3000:]
        assert "Token authentication is enabled" in log
        yield f"127.0.0.1:{port}", cluster_env, head.pid
    finally:
        stop_group(head.pid)
        shutil.rmtree(temp_dir, ignore_errors=True)


JOIN = ("import sys, ray\nfrom autograder.batch import ray_connect\n"
        "with ray_connect.connected(sys.argv[1]):\n    print(ray.cluster_resources()['CPU'])\n")


def batch_cli(subs, out, ray_address, env):
    return subprocess.run([sys.executable, "-m", "autograder.cli", "batch", "t1", str(subs), "--out", str(out),
                           "--ray", ray_address, "--device-profile", CPU],
                          capture_output=True, text=True, env=env, timeout=300)


def totals(out):
    with open(Path(out) / "grades.csv", newline="") as f:
        return {row["student"]: float(row["total"]) for row in csv.DictReader(f)}


@pytest.mark.slow
def test_a_cluster_started_by_ray_start_grades_with_its_token(toy_course, tmp_path, ray_cluster):
    address, cluster_env, pgid = ray_cluster
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "alice.py").write_text(REFERENCE)
    (subs / "bob.py").write_text(WRONG)
    client_env = cluster_env | {"AUTOGRADER_ROOT": str(toy_course)}
    graded = batch_cli(subs, tmp_path / "out", address, client_env)   # the token from ~/.ray/auth_token
    assert graded.returncode == 0, graded.stderr[-3000:]
    assert "graded 2, skipped 0 (already graded), failed to grade 0" in graded.stdout
    assert totals(tmp_path / "out") == pytest.approx({"alice": 5.5, "bob": 2.6667})
    # the same token named by RAY_AUTH_TOKEN_PATH, from a HOME without one
    (tmp_path / "elsewhere").mkdir()
    token_env = client_env | {"HOME": str(tmp_path / "elsewhere"),
                              "RAY_AUTH_TOKEN_PATH": str(Path(cluster_env["HOME"]) / ".ray" / "auth_token")}
    joined = subprocess.run([sys.executable, "-c", JOIN, address], capture_output=True, text=True, env=token_env,
                            timeout=120)   # joining is what the token is for: a second grade adds nothing
    assert joined.returncode == 0 and joined.stdout.split()[-1] == "2.0", joined.stderr[-3000:]
    assert stop_group(pgid) == [], "the cluster's processes outlived their stop"


def test_a_wrong_address_is_one_sentence(toy_course, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "alice.py").write_text(REFERENCE)
    (port,) = free_ports(1)
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    out = batch_cli(subs, tmp_path / "out", f"127.0.0.1:{port}", env)
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()   # the progress line, then the error
    assert lines[-1].startswith(f"autograder: nothing answers at 127.0.0.1:{port} ("), lines
    assert "`ray status` on its head node" in lines[-1]
    assert [line for line in lines if line.startswith("autograder:")] == lines[-1:], lines


def test_a_token_path_without_a_token_is_one_sentence(monkeypatch, tmp_path):
    monkeypatch.delenv("RAY_AUTH_TOKEN", raising=False)
    monkeypatch.setenv("RAY_AUTH_TOKEN_PATH", str(tmp_path / "missing"))
    with pytest.raises(batch.BatchError, match="RAY_AUTH_TOKEN_PATH names .*missing, which is missing"):
        ray_connect.check_token_file()
    (tmp_path / "missing").write_text("a-token\n")
    ray_connect.check_token_file()


@pytest.mark.parametrize("address, where", [("10.0.0.5:6379", ("10.0.0.5", 6379)), ("ray://head:10001", ("head", 10001)),
                                            ("[::1]:6379", ("::1", 6379)), ("auto", None), ("head", None)])
def test_addresses_are_read_as_ray_reads_them(address, where):
    assert ray_connect.host_port(address) == where
