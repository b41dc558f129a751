"""Execute one notebook with papermill in its own process (used by ``mlkit run``).

Usage: ``python -m mlkit._execute JOB.json``. The job file names the input, output,
parameters, working directory and per-cell timeout; the result is written to the path the
job gives as ``result``. Running each notebook in its own process keeps a crashed or hung
kernel from taking the runner down with it.
"""

from __future__ import annotations

import json
import sys
import time
import traceback


def _first_line(source) -> str:
    source = "".join(source) if isinstance(source, list) else (source or "")
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:120]
    return ""


def _source_index(input_path, source) -> int | None:
    """Return the index of the cell with this source in the input notebook (as users see it).

    The executed notebook has extra cells (papermill's injected parameters and error banner),
    so its indices do not match the notebook the user edits.
    """
    source = "".join(source) if isinstance(source, list) else (source or "")
    try:
        with open(input_path, encoding="utf-8") as fh:
            cells = json.load(fh).get("cells", [])
    except (OSError, ValueError):
        return None
    for i, cell in enumerate(cells):
        src = cell.get("source", "")
        if ("".join(src) if isinstance(src, list) else src) == source:
            return i
    return None


def _last_started_cell(output_path):
    """Return (source, first source line) of the last cell papermill started, or (None, '')."""
    try:
        with open(output_path, encoding="utf-8") as fh:
            nb = json.load(fh)
    except (OSError, ValueError):
        return None, ""
    last = None
    for i, cell in enumerate(nb.get("cells", [])):
        status = cell.get("metadata", {}).get("papermill", {}).get("status")
        if cell.get("cell_type") == "code" and status in {"running", "completed", "failed"}:
            last = i
    if last is None:
        return None, ""
    source = nb["cells"][last].get("source")
    return source, _first_line(source)


def main(job_path: str) -> int:
    with open(job_path, encoding="utf-8") as fh:
        job = json.load(fh)
    import papermill
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    result = {"status": "ok", "error": None}
    try:
        papermill.execute_notebook(
            job["input"],
            job["output"],
            parameters=job["parameters"],
            kernel_name=job.get("kernel_name", "python3"),
            cwd=job["cwd"],
            execution_timeout=job["cell_timeout_s"],
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=True,
        )
    except PapermillExecutionError as exc:
        result["status"] = "failed"
        result["error"] = {
            "kind": "exception",
            "cell_index": _source_index(job["input"], exc.source),
            "execution_count": exc.exec_count,
            "first_line": _first_line(exc.source),
            "ename": exc.ename,
            "evalue": str(exc.evalue)[:2000],
        }
    except Exception as exc:  # timeouts, dead kernels, missing kernels
        name = type(exc).__name__
        source, line = _last_started_cell(job["output"])
        index = None if source is None else _source_index(job["input"], source)
        if name == "CellTimeoutError" or isinstance(exc, TimeoutError):
            kind, status = "timeout", "timeout"
            evalue = f"cell did not finish within {job['cell_timeout_s']:g} s (per-cell timeout)"
        elif name == "DeadKernelError":
            kind, status = "dead_kernel", "dead_kernel"
            evalue = (
                "the kernel died while running this cell (often out of memory, or a crash in "
                "native code)"
            )
        else:
            kind, status = "runner", "error"
            evalue = str(exc)[:2000]
        result["status"] = status
        result["error"] = {
            "kind": kind,
            "cell_index": index,
            "execution_count": None,
            "first_line": line,
            "ename": name,
            "evalue": evalue,
            "traceback": traceback.format_exc()[-4000:],
        }
    result["duration_s"] = round(time.perf_counter() - start, 3)
    with open(job["result"], "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
