#!/usr/bin/env python
"""Start the web server, a Celery worker and Celery beat together; stop all on Ctrl-C."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")

COMMANDS = {
    "web": [sys.executable, "manage.py", "runserver", f"{HOST}:{PORT}"],
    "worker": [str(VENV_BIN / "celery"), "-A", "iop", "worker", "--loglevel=INFO", "--concurrency=2"],
    "beat": [str(VENV_BIN / "celery"), "-A", "iop", "beat", "--loglevel=INFO"],
}


def main() -> int:
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1"), "PYTHONUNBUFFERED": "1"}
    processes = {name: subprocess.Popen(cmd, cwd=ROOT, env=env) for name, cmd in COMMANDS.items()}
    subprocess.run([sys.executable, "manage.py", "demo_logins"], cwd=ROOT, env=env, check=False)
    print(f"\nIOP is running at http://{HOST}:{PORT}/  (Ctrl-C stops web, worker and beat)\n", flush=True)
    try:
        while all(p.poll() is None for p in processes.values()):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    stopped = [name for name, p in processes.items() if p.returncode not in (0, None, -signal.SIGTERM)]
    return 1 if stopped else 0


if __name__ == "__main__":
    sys.exit(main())
