"""Keep workers and kernels from outliving the process that started them.

``mlkit run`` starts one worker process per notebook, and each worker starts a kernel. If the
runner is killed (even with SIGKILL, which it cannot catch), its workers and their kernels must
end too: each child asks the Linux kernel for a signal when its parent dies
(``PR_SET_PDEATHSIG`` through :mod:`ctypes`), and a watchdog thread that polls the parent's pid
covers other systems and the moment before the request took effect.

Run as ``python -m mlkit.runner._kernel -f CONNECTION_FILE`` this module starts an IPython
kernel that does the same and writes its pid to ``MLKIT_KERNEL_PIDFILE``, so the worker can
stop the kernel's whole process group.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

__all__ = ["die_with_parent"]

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int | None = None, *, sig: int = signal.SIGKILL) -> None:
    """End this process with `sig` when its parent process ends.

    Parameters
    ----------
    parent_pid : int, optional
        The expected parent; if the parent is already another process (it died before this
        call), the signal is sent at once. Default: the current parent.
    sig : int, default=signal.SIGKILL
        The signal to receive.
    """
    parent_pid = parent_pid or os.getppid()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        except (OSError, AttributeError):
            pass

    def watch():
        while True:
            if os.getppid() != parent_pid:
                os.kill(os.getpid(), sig)
                return
            time.sleep(1.0)

    if os.getppid() != parent_pid:
        os.kill(os.getpid(), sig)
    threading.Thread(target=watch, name="mlkit-die-with-parent", daemon=True).start()


def _main() -> None:
    import runpy

    parent = os.environ.get("MLKIT_KERNEL_PARENT")
    die_with_parent(int(parent) if parent else None)
    pidfile = os.environ.get("MLKIT_KERNEL_PIDFILE")
    if pidfile:
        with open(pidfile, "w", encoding="utf-8") as fh:
            fh.write(str(os.getpid()))
    sys.argv = ["ipykernel_launcher", *sys.argv[1:]]
    runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    _main()
