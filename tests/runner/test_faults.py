"""Faults and bad input (issue 12): the right cell named, floods, clean stops, corrupt records.

Each test is one input of the issue with the right behaviour as its expected value. Kernels
are slow, so the executing tests share one run (`fault_run`) where they can.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlkit import runner
from mlkit.runner.cli import main
from mlkit.runner.config import load_config
from mlkit.runner.report import describe_error, write_summary
from tests.runner._support import run_fixtures

pytestmark = pytest.mark.xdist_group("runner")


@pytest.fixture(scope="module")
def fault_run(tmp_path_factory):
    """One run of the fault fixtures: failing cells in the middle, a flood, a long message."""
    _, run_dir, results, log = run_fixtures(
        tmp_path_factory,
        ("middle_hang.ipynb", "middle_dies.ipynb", "multiline.ipynb", "flood.ipynb"),
        cli_params=[("n", "1000")],
        cell_timeout_s=15,
        max_output_chars=2000,
    )
    write_summary(run_dir, results, None)
    return run_dir, results, log


# 1. The cell that was running is named, not the last one.


def test_timeout_names_the_running_cell_in_the_middle(fault_run):
    run_dir, results, log = fault_run
    res = results["middle_hang.ipynb"]
    assert res.status == "timeout"
    assert res.error["cell_index"] == 2
    assert res.error["first_line"] == "import time; time.sleep(secs)"
    assert "TIMEOUT in cell 2 ('import time; time.sleep(secs)')" in log


def test_dead_kernel_names_the_running_cell_in_the_middle(fault_run):
    _, results, log = fault_run
    res = results["middle_dies.ipynb"]
    assert res.status == "dead_kernel"
    assert res.error["cell_index"] == 2
    assert "DEAD KERNEL in cell 2 ('import os; os.kill(os.getpid(), code)')" in log


# 2. Output floods: huge output is kept in full beside the run, shortened in the notebook;
#    output that cannot be read in time is reported as a flood in its cell.


def test_huge_output_is_shortened_in_the_notebook_and_kept_whole(fault_run):
    run_dir, results, _ = fault_run
    res = results["flood.ipynb"]
    assert res.status == "ok" and res.metrics == {"done": 1}
    (note,) = res.outputs
    assert note["cell_index"] == 1 and note["lines"] == 1000
    kept = Path(note["kept_in"]).read_text().splitlines()
    assert kept == [str(i) for i in range(1000)]  # nothing lost
    executed = json.loads((run_dir / "flood.ipynb").read_text())
    text = "".join(executed["cells"][2]["outputs"][0]["text"])  # cell 1 + the injected cell
    assert len(text) < 2500 and "1000 lines" in text and note["kept_in"] in text
    assert text.startswith("0\n1\n") and text.rstrip().endswith("999")


def test_output_flood_is_reported_as_such_in_its_cell(tmp_path, monkeypatch, capsys):
    """Output still arriving after the IOPub timeout is an output flood, in the cell it came from.

    nbclient raises a CellTimeoutError for both a slow cell and unread output; the worker must
    tell them apart. The flood is simulated at papermill's level (cell 1 starts, its output
    cannot be read in time), so the test does not depend on the machine's speed.
    """
    import papermill
    from nbclient.exceptions import CellTimeoutError
    from papermill.engines import NotebookExecutionManager
    from papermill.iorw import load_notebook_node

    from mlkit.runner import _worker
    from tests.conftest import FIXTURES

    def flooding(input_path, output_path, **kwargs):
        nb = load_notebook_node(input_path)
        manager = NotebookExecutionManager(nb, output_path=output_path, progress_bar=False)
        manager.notebook_start()
        for index in (0, 1):
            manager.cell_start(nb.cells[index], index)
        manager.save()
        raise CellTimeoutError.error_from_timeout_and_cell(
            "Timeout waiting for IOPub output", kwargs["iopub_timeout"], nb.cells[1]
        )

    monkeypatch.setattr(papermill, "execute_notebook", flooding)
    # the worker wraps cell_start to follow the running cell; undo that after the test
    monkeypatch.setattr(NotebookExecutionManager, "cell_start", NotebookExecutionManager.cell_start)
    job = {
        "input": str(FIXTURES / "flood.ipynb"),
        "output": str(tmp_path / "flood.ipynb"),
        "parameters": {},
        "cwd": str(tmp_path),
        "cell_timeout_s": 600,
        "result": str(tmp_path / "result.json"),
        "cell_file": str(tmp_path / "cell.json"),
        "iopub_timeout_s": 30,
    }
    (tmp_path / "job.json").write_text(json.dumps(job))
    assert _worker._worker_main(str(tmp_path / "job.json")) == 0
    error = json.loads((tmp_path / "result.json").read_text())["error"]
    assert json.loads((tmp_path / "result.json").read_text())["status"] == "output_flood"
    assert error["cell_index"] == 1 and error["first_line"] == "for i in range(n):"
    assert "IOPub timeout" in error["evalue"] and "per-cell timeout" not in error["evalue"]
    res = runner.NotebookResult("flood.ipynb", "output_flood", {}, 1.0, {}, error, "flood.ipynb")
    assert "OUTPUT FLOOD in cell 1 ('for i in range(n):')" in describe_error(res, tmp_path)


# 8. A message of several lines is kept whole in the terminal and summary.md.


def test_multiline_exception_message_is_kept_whole(fault_run):
    run_dir, results, log = fault_run
    res = results["multiline.ipynb"]
    assert res.status == "failed" and res.error["cell_index"] == 2
    for text in (log, (run_dir / "summary.md").read_text()):
        assert "ValueError: The error column must be a Series of labels. Got" in text
        assert "Name: dev_error, dtype: float64" in text
        assert "instead." in text


def test_long_messages_are_bounded():
    res = runner.NotebookResult(
        "x.ipynb",
        "failed",
        {},
        0.0,
        {},
        {"cell_index": 1, "ename": "E", "evalue": "\n".join(f"line {i}" for i in range(500))},
        "x.ipynb",
    )
    text = describe_error(res, Path("run"))
    assert "line 0" in text and "line 499" in text and "lines omitted" in text
    assert len(text.splitlines()) < 30


# 3. Stopping a run: SIGINT/SIGTERM stop workers and kernels and write the records; SIGKILL
#    of the runner ends its workers and kernels; `mlkit check` never skips an incomplete run.


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait(predicate, timeout_s: float) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def _project(tmp_path: Path) -> Path:
    shutil.copy(Path(__file__).parents[1] / "fixtures" / "middle_hang.ipynb", tmp_path)
    (tmp_path / "nbs_ci.yml").write_text(
        "notebooks:\n  middle_hang.ipynb:\n    profiles:\n      ci: {}\n"
    )
    return tmp_path


def _start_run(project: Path):
    """Start `mlkit run` on the sleeping notebook; return (process, run dir, worker, kernel)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlkit.runner.cli", "run", "--config", "nbs_ci.yml"]
        + ["--cell-timeout", "120", "middle_hang.ipynb"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )

    def sleeping():
        cells = list((project / "runs").glob("*/.jobs/middle_hang.cell.json"))
        pids = list((project / "runs").glob("*/.jobs/middle_hang.kernel.pid"))
        if not (cells and pids and pids[0].read_text().strip()):
            return False
        try:
            return json.loads(cells[0].read_text()).get("cell_index") == 2
        except ValueError:
            return False

    assert _wait(sleeping, 60), proc.communicate(timeout=5)
    time.sleep(0.5)
    (run_dir,) = [p.parent for p in (project / "runs").glob("*/.jobs")]
    kernel = int((run_dir / ".jobs" / "middle_hang.kernel.pid").read_text())
    worker = int(Path(f"/proc/{kernel}/stat").read_text().rsplit(")", 1)[1].split()[1])
    assert worker != proc.pid and _alive(worker) and _alive(kernel)
    return proc, run_dir, worker, kernel


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_stops_workers_and_kernels_and_writes_records(tmp_path, sig, code):
    proc, run_dir, worker, kernel = _start_run(_project(tmp_path))
    os.kill(proc.pid, sig)  # the runner alone, not its process group
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == code, err
    assert _wait(lambda: not _alive(worker) and not _alive(kernel), 5)
    doc = json.loads((run_dir / "metrics.json").read_text())
    assert doc["status"] == "interrupted" and doc["interrupted_by"] == sig.name
    entry = doc["notebooks"]["middle_hang.ipynb"]
    assert entry["status"] == "interrupted" and entry["error"]["cell_index"] == 2
    summary = (run_dir / "summary.md").read_text()
    assert "interrupted" in summary and "cell 2 ('import time; time.sleep(secs)')" in summary
    # checking it by name reports the interruption and fails
    assert main(["check", str(run_dir), "--config", str(tmp_path / "nbs_ci.yml")]) == 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_killed_runner_takes_workers_and_kernels_along_and_check_says_incomplete(tmp_path, capsys):
    project = _project(tmp_path)
    older = project / "runs" / "20200101T000000Z-abcdef"
    older.mkdir(parents=True)
    (older / "metrics.json").write_text(
        json.dumps(
            {
                "run_id": older.name,
                "profile": "ci",
                "status": "complete",
                "notebooks": {"middle_hang.ipynb": {"status": "ok", "metrics": {}}},
            }
        )
    )
    proc, run_dir, worker, kernel = _start_run(project)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=10)
    assert _wait(lambda: not _alive(worker) and not _alive(kernel), 10)
    cwd = os.getcwd()
    try:
        os.chdir(project)
        code = main(["check", "--config", "nbs_ci.yml"])
    finally:
        os.chdir(cwd)
    err = capsys.readouterr().err
    assert code == 2 and run_dir.name in err and "incomplete" in err, err
    assert older.name not in err


def test_check_without_argument_reports_a_newest_run_without_metrics(tmp_path):
    base = tmp_path / "runs"
    for name in ("20200101T000000Z-aaaaaa", "20300101T000000Z-bbbbbb"):
        (base / name).mkdir(parents=True)
    (base / "20200101T000000Z-aaaaaa" / "metrics.json").write_text(
        json.dumps({"profile": "ci", "notebooks": {"a": {"status": "ok"}}})
    )
    with pytest.raises(
        runner.RunError, match=r"newest run .*20300101T000000Z-bbbbbb is incomplete"
    ):
        runner.latest_run(base)


# 4. Two notebooks with the same file name get their own outputs.


def test_same_file_name_in_two_folders_keeps_both(tmp_path, capsys):
    from tests.conftest import FIXTURES

    src = FIXTURES / "samename"
    cfg = tmp_path / "nbs_ci.yml"
    cfg.write_text("notebooks: {}\n")
    out = tmp_path / "run"
    args = ["run", "--config", str(cfg), "--out", str(out), "--profile", "ci", "--jobs", "2"]
    cfg.write_text("notebooks:\n  a/t.ipynb:\n    profiles:\n      ci: {}\n")
    shutil.copytree(src, tmp_path, dirs_exist_ok=True)
    code = main([*args, str(tmp_path / "a" / "t.ipynb"), str(tmp_path / "b" / "t.ipynb")])
    assert code == 0, capsys.readouterr()
    doc = json.loads((out / "metrics.json").read_text())
    a, b = doc["notebooks"]["a/t.ipynb"], doc["notebooks"]["b/t.ipynb"]
    assert a["metrics"] == {"k": 1} and b["metrics"] == {"other": 100}
    assert a["output"] != b["output"]
    assert (out / a["output"]).is_file() and (out / b["output"]).is_file()


def test_the_same_notebook_twice_is_refused(fixtures_dir):
    config = load_config(fixtures_dir / "nbs_ci.yml")
    nb = fixtures_dir / "ok.ipynb"
    with pytest.raises(runner.RunError, match="is named twice"):
        runner.plan_run(config, notebooks=[nb, nb.parent / "." / nb.name])


# 5. Corrupt records: one line naming the file, non-zero exit.


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b'{"run_id": "x", "profile": "ci", "notebooks": {}}', "records no notebooks"),
        (b"[1, 2, 3]", "must hold a JSON object .* Got a list instead"),
        (b'{"profile": "ci", "notebooks": {"ok.ipynb": {"metrics": {}}}}', "'status'"),
        (b'{"profile": "ci", "notebooks": {"ok.ipynb": 3}}', "'status'"),
        (b"", "is empty"),
        (b'{"profile": "ci\xe9"}', "is not UTF-8"),
        (b'{"profile": ', "is not valid JSON"),
    ],
)
def test_corrupt_metrics_json_gives_one_line_naming_the_file(
    tmp_path, fixtures_dir, capsys, content, match
):
    (tmp_path / "metrics.json").write_bytes(content)
    code = main(["check", str(tmp_path), "--config", str(fixtures_dir / "nbs_ci.yml")])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and str(tmp_path / "metrics.json") in err
    import re

    assert re.search(match, err), err


# 6. One rule for relative paths in the check and the kernel.


def test_relative_paths_resolve_one_way_and_reach_the_kernel_absolute(tmp_path, capsys):
    from tests.conftest import FIXTURES

    project = tmp_path / "project"
    (project / "notebooks" / "my_clips").mkdir(parents=True)
    (project / "notebooks" / "my_clips" / "a.wav").write_text("x")
    (project / "root_clips").mkdir()
    for name in ("a.wav", "b.wav"):
        (project / "root_clips" / name).write_text("x")
    shutil.copy(FIXTURES / "paths.ipynb", project / "notebooks" / "paths.ipynb")
    (project / "nbs_ci.yml").write_text(
        "notebooks:\n  notebooks/paths.ipynb:\n    profiles:\n      ci: {}\n"
    )
    (tmp_path / "shell_only").mkdir()
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)  # the folder above the project
        config = load_config("project/nbs_ci.yml")
        nb = "project/notebooks/paths.ipynb"
        (job,) = runner.plan_run(config, notebooks=[nb], cli_params=[("data_dir", "my_clips")])
        assert job.parameters["data_dir"] == str(project / "notebooks" / "my_clips")
        (job,) = runner.plan_run(config, notebooks=[nb], cli_params=[("data_dir", "root_clips")])
        assert job.parameters["data_dir"] == str(project / "root_clips")
        with pytest.raises(runner.RunError) as info:
            runner.plan_run(config, notebooks=[nb], cli_params=[("data_dir", "shell_only")])
        message = str(info.value)
        tried = message.split("(tried ")[1].split(")")[0].split(", ")
        assert tried == [
            str(project / "notebooks" / "shell_only"),
            str(project / "shell_only"),
        ]
        assert "notebook's folder, then the project root" in message
        code = main(
            [
                "run",
                "--config",
                "project/nbs_ci.yml",
                "--out",
                "r",
                nb,
                "-p",
                "data_dir",
                "my_clips",
            ]
        )
    finally:
        os.chdir(cwd)
    assert code == 0, capsys.readouterr()
    doc = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert doc["notebooks"]["notebooks/paths.ipynb"]["metrics"] == {"is_abs": True, "n_files": 1}


# 7. Paired parameters are given together or refused.


@pytest.mark.parametrize(
    ("cli", "file", "ok"),
    [
        ([("reference_csv", "t.csv")], {}, False),
        ([], {"current_csv": "t.csv"}, False),
        ([("reference_csv", "t.csv")], {"current_csv": "t.csv"}, True),
        ([], {}, True),
    ],
)
def test_paired_parameters_go_together(tmp_path, cli, file, ok):
    from tests.conftest import FIXTURES

    shutil.copy(FIXTURES / "annotated.ipynb", tmp_path)
    (tmp_path / "t.csv").write_text("a\n1\n")
    (tmp_path / "nbs_ci.yml").write_text(
        "notebooks:\n  annotated.ipynb:\n    profiles:\n      ci: {}\n"
    )
    config = load_config(tmp_path / "nbs_ci.yml")
    if ok:
        runner.plan_run(config, cli_params=cli, file_params=file)
        return
    with pytest.raises(
        runner.RunError,
        match=r"Parameters 'current_csv', 'reference_csv' of annotated.ipynb go together; "
        r"got '(reference|current)_csv' \(-[pf]\) without '(current|reference)_csv'\. Give all",
    ):
        runner.plan_run(config, cli_params=cli, file_params=file)


# 8. Range checks run before any kernel; bad folders and files get one clear line.


@pytest.mark.parametrize(
    ("cli", "file", "match"),
    [
        (
            [("random_state", "-5")],
            {},
            r"Parameter 'random_state' of annotated.ipynb \(-p\) must have value >= 0\. "
            r"Got -5 instead",
        ),
        ([], {"curve_factors": []}, r"'curve_factors' .*\(-f\) must be non-empty\. Got \[\]"),
        ([], {"curve_factors": [0.5, 2.0]}, r"every item of value <= 1\. Got \[0.5, 2.0\]"),
        ([("n_clips", "-1")], {}, r"'n_clips' .* must have value >= 0"),
    ],
)
def test_range_rules_are_checked_before_any_kernel(tmp_path, fixtures_dir, cli, file, match):
    config = load_config(fixtures_dir / "nbs_ci.yml")
    with pytest.raises(runner.RunError, match=match):
        runner.plan_run(
            config, notebooks=[fixtures_dir / "annotated.ipynb"], cli_params=cli, file_params=file
        )


def test_bad_out_and_runs_dir_give_one_line(tmp_path, fixtures_dir, capsys):
    some_file = tmp_path / "some_file"
    some_file.write_text("x")
    cfg = str(fixtures_dir / "nbs_ci.yml")
    ok = str(fixtures_dir / "ok.ipynb")
    assert main(["run", "--config", cfg, ok, "--out", str(some_file / "sub")]) == 2
    err = capsys.readouterr().err
    assert f"--out {some_file / 'sub'} cannot be created: {some_file} is a file" in err
    assert main(["run", "--config", cfg, ok, "--runs-dir", str(some_file)]) == 2
    err = capsys.readouterr().err
    assert f"--runs-dir {some_file} cannot be created: {some_file} is a file" in err
    assert "Traceback" not in err


def test_params_on_a_folder_says_it_is_a_folder(fixtures_dir, capsys):
    assert main(["params", str(fixtures_dir)]) == 2
    err = capsys.readouterr().err
    assert "is a folder" in err and "annotated.ipynb" in err and "does not exist" not in err


def test_two_parameters_cells_get_the_right_hint(fixtures_dir):
    from mlkit.runner.params import ParameterError, read_parameters

    with pytest.raises(ParameterError, match=r"it has 2 \(cells 1, 2\)") as info:
        read_parameters(fixtures_dir / "twoparams.ipynb")
    assert "remove the tag 'parameters' from the others" in str(info.value)
    assert "add the tag" not in str(info.value)


def test_params_lists_the_rules(fixtures_dir, capsys):
    assert main(["params", str(fixtures_dir / "annotated.ipynb")]) == 0
    out = capsys.readouterr().out
    assert "non-empty, > 0, <= 1" in out and "[>= 0]" not in out
