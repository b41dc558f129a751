"""The worker: execute one notebook with papermill, in a process of its own.

``python -m mlkit.runner._worker JOB.json`` runs the notebook the job file describes and writes
its result file: status, the cell that was running when it failed (followed through papermill's
cell hooks, not guessed from the saved notebook), the error, and any output it shortened. The
worker ends when the runner that started it ends, and so does its kernel
(:mod:`mlkit.runner._kernel`).
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path

__all__: list[str] = []


# Cells papermill adds to the executed notebook; they are not cells of the notebook users edit.
_PAPERMILL_TAGS = frozenset({"injected-parameters", "papermill-error-cell-tag"})


def _is_source_cell(cell: dict) -> bool:
    """Return whether a cell of an executed notebook is one of the notebook users edit."""
    return _PAPERMILL_TAGS.isdisjoint(cell.get("metadata", {}).get("tags", []))


def _text(source) -> str:
    """Return a notebook cell source (a string or a list of lines) as one string."""
    return "".join(source) if isinstance(source, list) else (source or "")


def _first_line(source) -> str:
    for line in _text(source).splitlines():
        if line.strip():
            return line.strip()[:120]
    return ""


def _source_index(input_path, source) -> int | None:
    """Return the index of the cell with this source in the input notebook (as users see it).

    The executed notebook has extra cells (papermill's injected parameters and error banner),
    so its indices do not match the notebook the user edits.
    """
    source = _text(source)
    try:
        with open(input_path, encoding="utf-8") as fh:
            cells = json.load(fh).get("cells", [])
    except (OSError, ValueError):
        return None
    for i, cell in enumerate(cells):
        if _text(cell.get("source")) == source:
            return i
    return None


_CURRENT: dict = {}


def _track_cells(cell_file: str | None) -> None:
    """Remember the cell papermill starts (and write it to `cell_file`), to name it on failure.

    The index is the cell's index in the notebook the user edits (papermill's injected
    parameters cell does not count), so the report and the committed notebook agree even when
    two cells have the same source.
    """
    from papermill.engines import NotebookExecutionManager

    original = NotebookExecutionManager.cell_start
    if getattr(original, "_mlkit_tracked", False):
        return

    def cell_start(self, cell, cell_index=None, **kwargs):
        if not _is_source_cell(cell):
            index, line = None, "(the parameters papermill injected)"
        else:
            index = sum(map(_is_source_cell, self.nb.cells[:cell_index]))
            line = _first_line(cell.get("source"))
        _CURRENT.clear()
        _CURRENT.update(cell_index=index, executed_index=cell_index, first_line=line)
        if cell_file:
            with open(cell_file, "w", encoding="utf-8") as fh:
                json.dump(_CURRENT, fh)
        return original(self, cell, cell_index, **kwargs)

    cell_start._mlkit_tracked = True
    NotebookExecutionManager.cell_start = cell_start


def _bound_outputs(output_path: str, max_chars: int, keep_dir: Path) -> list[dict]:
    """Shorten each cell's text output beyond `max_chars` to its head and tail, keeping all of it.

    The whole text goes to ``keep_dir/<stem>.cellNN.<stream>.txt`` and the executed notebook
    says where; nothing is dropped silently. Returns one entry per shortened output.
    """
    try:
        with open(output_path, encoding="utf-8") as fh:
            nb = json.load(fh)
    except (OSError, ValueError):
        return []
    stem = Path(output_path).stem
    notes, source_index = [], -1
    for cell in nb.get("cells", []):
        if _is_source_cell(cell):
            source_index += 1
        outputs = cell.get("outputs") or []
        streams: dict[str, list[str]] = {}
        for out in outputs:
            if out.get("output_type") == "stream":
                text = out.get("text", "")
                streams.setdefault(out.get("name", "stdout"), []).append(
                    "".join(text) if isinstance(text, list) else text
                )
        long = {k: "".join(v) for k, v in streams.items() if sum(map(len, v)) > max_chars}
        if not long:
            continue
        kept = []
        for out in outputs:
            name = out.get("name", "stdout")
            if out.get("output_type") == "stream" and name in long:
                if name not in {o.get("name") for o in kept if o.get("output_type") == "stream"}:
                    text = long[name]
                    keep = keep_dir / f"{stem}.cell{source_index:02d}.{name}.txt"
                    keep.write_text(text, encoding="utf-8")
                    n_lines = text.count("\n")
                    head, tail = text[: max_chars // 2], text[-max_chars // 2 :]
                    omitted = len(text) - len(head) - len(tail)
                    note = (
                        f"\n[mlkit: {n_lines} lines, {len(text)} characters in all; "
                        f"{omitted} characters omitted here. The whole output is in {keep}]\n"
                    )
                    kept.append({**out, "text": head + note + tail})
                    notes.append(
                        {
                            "cell_index": source_index,
                            "stream": name,
                            "lines": n_lines,
                            "chars": len(text),
                            "kept_in": str(keep),
                        }
                    )
                continue
            kept.append(out)
        cell["outputs"] = kept
    if notes:
        tmp = output_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(nb, fh, indent=1)
        os.replace(tmp, output_path)
    return notes


def _worker_main(job_path: str) -> int:
    """Execute the notebook a job file describes and write its result file; return 0."""
    with open(job_path, encoding="utf-8") as fh:
        job = json.load(fh)
    from mlkit.runner._kernel import die_with_parent

    if job.get("parent_pid"):
        die_with_parent(job["parent_pid"])
    if job.get("kernel_pid_file"):
        os.environ["MLKIT_KERNEL_PIDFILE"] = job["kernel_pid_file"]
    os.environ["MLKIT_KERNEL_PARENT"] = str(os.getpid())
    import papermill
    from papermill.exceptions import PapermillExecutionError

    _track_cells(job.get("cell_file"))
    iopub_timeout = int(job.get("iopub_timeout_s", 30))
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
            # A finished cell's output is still read for this long before the cell counts as
            # flooding its output channel; consecutive prints are merged into one output.
            iopub_timeout=iopub_timeout,
            coalesce_streams=True,
        )
    except PapermillExecutionError as exc:
        index = _CURRENT.get("cell_index")
        result["status"] = "failed"
        result["error"] = {
            "kind": "exception",
            "cell_index": index if index is not None else _source_index(job["input"], exc.source),
            "execution_count": exc.exec_count,
            "first_line": _first_line(exc.source),
            "ename": exc.ename,
            "evalue": str(exc.evalue)[:4000],
        }
    except Exception as exc:  # timeouts, output floods, dead kernels, missing kernels
        name = type(exc).__name__
        text = str(exc)
        if name == "CellTimeoutError" and "Timeout waiting for IOPub output" in text:
            kind = status = "output_flood"
            evalue = (
                "the cell sent output faster than it could be read: its output was still "
                f"arriving {iopub_timeout} s after the cell finished (IOPub timeout). Print "
                "less (every 1000th line, a summary) or write long output to a file"
            )
        elif name == "CellTimeoutError" or isinstance(exc, TimeoutError):
            kind = status = "timeout"
            evalue = f"cell did not finish within {job['cell_timeout_s']:g} s (per-cell timeout)"
        elif name == "DeadKernelError":
            kind = status = "dead_kernel"
            evalue = (
                "the kernel died while running this cell (often out of memory, or a crash in "
                "native code)"
            )
        else:
            kind, status = "runner", "error"
            evalue = text[:4000]
        result["status"] = status
        result["error"] = {
            "kind": kind,
            "cell_index": _CURRENT.get("cell_index"),
            "execution_count": None,
            "first_line": _CURRENT.get("first_line", ""),
            "ename": name,
            "evalue": evalue,
            "traceback": traceback.format_exc()[-4000:],
        }
    keep_dir = Path(job["result"]).parent
    result["outputs"] = _bound_outputs(
        job["output"], int(job.get("max_output_chars", 200_000)), keep_dir
    )
    result["duration_s"] = round(time.perf_counter() - start, 3)
    with open(job["result"], "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1]))
