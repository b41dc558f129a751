"""Exercises that check themselves: tasks, concept questions, hints, solutions and progress.

The learner's cell holds a blank and a one-line check right below it::

    ex.show("02.3")
    answer = ...  # your answer
    ex.check("02.3", answer)

``ex.check`` prints a short verdict (correct; incorrect with the next hint; not attempted);
``ex.hint`` gives the next hint, ``ex.solution`` the reference solution. A concept question is
multiple choice and stores only a digest of its key, as graders do, so the key cannot be read in
the notebook. The definitions live next to their phase (``mlkit/<phase>/_exercises.py``) and each
phase package exposes ``exercises(namespace, mode=...)``, which returns an :class:`ExerciseSet`.

In ``mode="solution"`` (the ``solutions`` profile of ``nbs_ci.yml``) every check runs the
exercise's reference solution on a copy of the notebook's namespace and raises
:class:`~mlkit.errors.ExerciseError` if the reference does not pass its own check, or if a planted
wrong answer does: no check can pass on anything. In ``mode="learner"`` a check never raises.

Design after Kaggle Learn's ``learntools`` (checks, graded hints, solutions on request) and the
digest-keyed questions of otter-grader and nbgrader.
"""

from __future__ import annotations

import hashlib
import math
import numbers
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from mlkit.errors import ExerciseError, ParameterError

__all__ = [
    "AnswerError",
    "NotReadyError",
    "ConceptQuestion",
    "Exercise",
    "ExerciseSet",
    "MODES",
    "answer_digest",
    "expect_choice",
    "expect_number",
    "expect_numbers",
    "expect_set",
    "need",
]

MODES = ("learner", "solution")
NOT_ATTEMPTED, PASSED, INCORRECT = "not_attempted", "passed", "incorrect"


class AnswerError(ValueError):
    """Raised by a checker when an answer is wrong, with the reason the learner sees."""


class NotReadyError(AnswerError):
    """Raised by a checker when a notebook variable it reads is not defined yet.

    The verdict is "not checked yet" (run the cells above); the answer's status and the hints are
    left as they were, since nothing was judged.
    """


def _is_blank(answer) -> bool:
    return answer is Ellipsis or answer is None


def _as_number(answer, what: str) -> float:
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        # numpy scalars are numbers.Real; 0-d arrays and 1-element lists are not
        raise AnswerError(
            f"{what} should be a single number; got {type(answer).__name__} {answer!r}."
        )
    value = float(answer)
    if not math.isfinite(value):
        raise AnswerError(f"{what} should be a finite number; got {value!r}.")
    return value


def expect_number(answer, expected: float, *, abs_tol: float, what: str = "Your answer") -> str:
    """Check that `answer` is one finite number within `abs_tol` of `expected`.

    Parameters
    ----------
    answer : object
        The learner's answer.
    expected : float
        The value computed from the notebook's namespace.
    abs_tol : float
        Accepted absolute difference, in the unit of `expected`.
    what : str, default="Your answer"
        How the verdict names the answer ("The potential gain in percentage points").

    Returns
    -------
    str
        A short confirmation naming the expected value.

    Raises
    ------
    AnswerError
        If `answer` is not a finite number or is further than `abs_tol` from `expected`.

    Examples
    --------
    >>> expect_number(0.91, 0.9, abs_tol=0.02)
    'matches 0.9 (within 0.02)'
    >>> expect_number("0.9", 0.9, abs_tol=0.02)
    Traceback (most recent call last):
    ...
    mlkit.exercises.AnswerError: Your answer should be a single number; got str '0.9'.
    """
    value = _as_number(answer, what)
    if abs(value - expected) > abs_tol:
        direction = "high" if value > expected else "low"
        raise AnswerError(f"{what}: {value:.4g} is too {direction}.")
    return f"matches {expected:.4g} (within {abs_tol:g})"


def expect_numbers(
    answer, expected: Sequence[float], *, abs_tol: float, what: str = "Your answer"
) -> str:
    """Check a sequence of numbers element-wise against `expected` (same length, same order).

    Raises
    ------
    AnswerError
        If `answer` is not a sequence of the same length, or an element is off by more than
        `abs_tol`.

    Examples
    --------
    >>> expect_numbers([0.1, 0.2], [0.1, 0.21], abs_tol=0.02)
    'all 2 values match (within 0.02)'
    """
    if isinstance(answer, str | bytes) or not hasattr(answer, "__len__"):
        raise AnswerError(
            f"{what} should be a list of {len(expected)} numbers; got {type(answer).__name__}."
        )
    if len(answer) != len(expected):
        raise AnswerError(f"{what} should hold {len(expected)} numbers; got {len(answer)}.")
    for i, (a, e) in enumerate(zip(answer, expected, strict=True)):
        expect_number(a, e, abs_tol=abs_tol, what=f"Item {i} of {what.lower()}")
    return f"all {len(expected)} values match (within {abs_tol:g})"


def expect_choice(
    answer, expected: str, *, choices: Sequence[str], what: str = "Your answer"
) -> str:
    """Check that `answer` is the string `expected`, one of `choices` (case and spaces ignored).

    Raises
    ------
    AnswerError
        If `answer` is not one of `choices` (the message lists them) or is another choice.

    Examples
    --------
    >>> expect_choice(" Car_noise", "car_noise", choices=["clean", "car_noise"])
    'car_noise'
    """
    allowed = {str(c).strip().lower(): c for c in choices}
    if not isinstance(answer, str):
        raise AnswerError(
            f"{what} should be one of {sorted(allowed.values())}; got {type(answer).__name__} {answer!r}."
        )
    key = answer.strip().lower()
    if key not in allowed:
        raise AnswerError(f"{what} {answer!r} is not one of {sorted(allowed.values())}.")
    if key != str(expected).strip().lower():
        raise AnswerError(f"{what} {allowed[key]!r} is not the one.")
    return str(expected)


def expect_set(answer, expected, *, what: str = "Your answer") -> str:
    """Check that `answer` (a list, tuple or set of strings) holds exactly the items of `expected`.

    Raises
    ------
    AnswerError
        If `answer` is not a collection of strings, or misses or adds an item (the message says
        how many, not which).

    Examples
    --------
    >>> expect_set(["a", "b"], {"b", "a"})
    'the 2 items match'
    """
    if isinstance(answer, str) or not isinstance(answer, list | tuple | set | frozenset):
        raise AnswerError(
            f"{what} should be a list of names; got {type(answer).__name__} {answer!r}."
        )
    got = {str(a).strip().lower() for a in answer}
    want = {str(e).strip().lower() for e in expected}
    missing, extra = want - got, got - want
    if missing or extra:
        raise AnswerError(f"{what} misses {len(missing)} item(s) and has {len(extra)} too many.")
    return f"the {len(want)} items match"


def need(namespace: Mapping, *names: str) -> list:
    """Return the notebook variables `names` from `namespace`, in order.

    Parameters
    ----------
    namespace : mapping
        The notebook's globals, as a checker receives them.
    *names : str
        Variable names the checker reads.

    Returns
    -------
    list
        ``[namespace[name] for name in names]``.

    Raises
    ------
    NotReadyError
        If any name is missing (the cells that define it have not run); the verdict is then
        "not checked yet", never "incorrect".

    Examples
    --------
    >>> need({"a": 1, "b": 2}, "b", "a")
    [2, 1]
    >>> need({}, "table")
    Traceback (most recent call last):
    ...
    mlkit.exercises.NotReadyError: The notebook variable(s) table are not defined yet: run the cells above this one first (top to bottom).
    """
    missing = [n for n in names if n not in namespace]
    if missing:
        raise NotReadyError(
            f"The notebook variable(s) {', '.join(missing)} are not defined yet: run the cells "
            "above this one first (top to bottom)."
        )
    return [namespace[n] for n in names]


def answer_digest(question_id: str, answer) -> str:
    """Return the digest under which a concept question's key is stored (sha256, 16 hex digits).

    The answer is normalised (stripped, lower case) and salted with the question id, so equal
    keys of two questions have different digests.

    Examples
    --------
    >>> answer_digest("02.c1", " B ") == answer_digest("02.c1", "b")
    True
    """
    text = f"{question_id}:{str(answer).strip().lower()}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Exercise:
    """One task on the data in front of the learner.

    Parameters
    ----------
    id : str
        ``"<notebook>.<n>"``, e.g. ``"02.3"``; unique in the kit.
    title : str
        A few words shown in headings and the progress table.
    prompt : str
        What to do and in which form to answer (type, unit), markdown.
    check : callable
        ``check(answer, namespace) -> str``: returns a short confirmation or raises
        :class:`AnswerError` with the reason. It computes the expected value from the notebook's
        namespace, so the answer is checked against this run's numbers.
    solution : str
        Python source that sets ``answer`` when run in the notebook's namespace; shown by
        ``ex.solution`` and run by solution mode.
    hints : tuple of str
        Graded hints, the gentlest first.
    wrong : tuple
        Planted wrong answers: values, or callables ``f(reference_answer) -> wrong answer``.
        Solution mode and the tests assert that each is marked incorrect.
    predict : str or None, default=None
        For a "predict, then check" exercise, the question the learner answers with
        ``ex.predict(id, prediction)`` before running anything; the check refuses to reveal
        until a prediction is on record.
    """

    id: str
    title: str
    prompt: str
    check: Callable[[object, Mapping], str]
    solution: str
    hints: tuple[str, ...]
    wrong: tuple = ()
    predict: str | None = None
    kind: str = field(default="exercise", init=False)


@dataclass(frozen=True)
class ConceptQuestion:
    """A multiple-choice question on the course's ideas; only a digest of its key is stored.

    Parameters
    ----------
    id : str
        ``"<notebook>.c<n>"``, e.g. ``"06.c1"``.
    title : str
        A few words for headings and the progress table.
    prompt : str
        The question, markdown.
    options : dict of str to str
        Letter -> option text.
    key_digest : str
        ``answer_digest(id, letter)`` of the right letter.
    hints : tuple of str
        Graded hints.
    explanation : str
        Why the right option is right, shown by ``ex.solution`` (it names the answer).
    """

    id: str
    title: str
    prompt: str
    options: dict[str, str]
    key_digest: str
    hints: tuple[str, ...]
    explanation: str
    kind: str = field(default="concept", init=False)

    def key(self) -> str:
        """Return the option letter whose digest is the key (used by solution mode and tests).

        Raises
        ------
        ExerciseError
            If no option, or more than one, matches the stored digest.
        """
        hits = [k for k in self.options if answer_digest(self.id, k) == self.key_digest]
        if len(hits) != 1:
            raise ExerciseError(
                f"Concept question {self.id}: {len(hits)} options match the stored key digest; "
                "exactly one must. Recompute it with mlkit.exercises.answer_digest(id, letter)."
            )
        return hits[0]


def _say(text: str) -> None:
    """Print a verdict; plain text reads the same in JupyterLab, executed notebooks and logs."""
    print(text)


class ExerciseSet:
    """The exercises of one notebook, bound to its namespace; the ``ex`` object of a notebook.

    Parameters
    ----------
    notebook : str
        Notebook number, ``"02"``.
    items : sequence of Exercise or ConceptQuestion
        The notebook's exercises and concept questions, in notebook order.
    namespace : mapping
        The notebook's globals (pass ``globals()``); checks read this run's numbers from it.
    mode : {"learner", "solution"}, default="learner"
        ``learner``: verdicts only, never raises. ``solution``: each check runs the reference
        solution and the planted wrong answers and raises ExerciseError if the check misjudges one.

    Raises
    ------
    ParameterError
        If `mode` is not one of ``MODES``.
    ValueError
        If two items share an id or an id does not start with ``notebook + "."``.
    """

    def __init__(
        self, notebook: str, items: Sequence, namespace: Mapping, *, mode: str = "learner"
    ):
        if mode not in MODES:
            raise ParameterError(
                f"The 'exercise_mode' parameter must be one of {MODES}. Got {mode!r} instead. "
                "Use 'learner' to answer the exercises yourself, 'solution' to run the reference "
                "solutions (as CI does)."
            )
        ids = [item.id for item in items]
        if len(set(ids)) != len(ids) or not all(i.startswith(f"{notebook}.") for i in ids):
            raise ValueError(
                f"Exercise ids of notebook {notebook} must be unique and start with '{notebook}.'; got {ids}."
            )
        self.notebook = notebook
        self.mode = mode
        self._items = {item.id: item for item in items}
        self._ns = namespace
        self._status = {i: NOT_ATTEMPTED for i in ids}
        self._hints_shown = {i: 0 for i in ids}
        self._predictions: dict[str, object] = {}

    # -- lookup -----------------------------------------------------------------------------
    def _get(self, exercise_id: str):
        try:
            return self._items[exercise_id]
        except KeyError:
            raise KeyError(
                f"No exercise {exercise_id!r} in notebook {self.notebook}; "
                f"its exercises are {', '.join(self._items)}."
            ) from None

    @property
    def ids(self) -> list[str]:
        """Exercise and question ids in notebook order."""
        return list(self._items)

    # -- the learner's calls -------------------------------------------------------------------
    def show(self, exercise_id: str) -> None:
        """Print an exercise's prompt (and a concept question's options)."""
        item = self._get(exercise_id)
        label = "Concept question" if item.kind == "concept" else "Exercise"
        lines = [f"{label} {item.id}: {item.title}", textwrap.fill(item.prompt, 96)]
        if item.kind == "concept":
            lines += [f"  ({k}) {v}" for k, v in item.options.items()]
            lines.append('Answer with the letter, e.g. answer = "a".')
        elif item.predict:
            lines.append(f"First predict: {item.predict}  ->  ex.predict({item.id!r}, prediction)")
        _say("\n".join(lines))

    def predict(self, exercise_id: str, prediction) -> None:
        """Put a prediction on record before the reveal of a "predict, then check" exercise."""
        item = self._get(exercise_id)
        if item.kind != "exercise" or not item.predict:
            _say(f"{exercise_id} asks for no prediction; answer it with ex.check.")
            return
        if self.mode == "solution":
            prediction = "(solution mode)"
        if _is_blank(prediction):
            _say(
                f"{exercise_id}: not predicted yet. Replace `...` with your prediction, then run this cell."
            )
            return
        if exercise_id in self._predictions and self._status[exercise_id] != NOT_ATTEMPTED:
            _say(
                f"{exercise_id}: your prediction {self._predictions[exercise_id]!r} is already on record."
            )
            return
        self._predictions[exercise_id] = prediction
        _say(f"{exercise_id}: prediction on record: {prediction!r}. Now run the experiment below.")

    def check(self, exercise_id: str, answer=Ellipsis) -> None:
        """Print a verdict for `answer`: correct, incorrect with the next hint, or not attempted.

        In solution mode the given answer is ignored: the reference solution and every planted
        wrong answer are checked instead.

        Raises
        ------
        ExerciseError
            Only in solution mode: the reference fails its check or a wrong answer passes.
        """
        item = self._get(exercise_id)
        if self.mode == "solution":
            self._check_solution(item)
            return
        if item.kind == "exercise" and item.predict and exercise_id not in self._predictions:
            _say(
                f"{exercise_id}: first put your prediction on record with ex.predict({exercise_id!r}, ...)."
            )
            return
        if _is_blank(answer):
            if self._status[exercise_id] != PASSED:
                self._status[exercise_id] = NOT_ATTEMPTED
            _say(
                f"{exercise_id}: not attempted. Replace `...` with your answer and run the cell again."
            )
            return
        ok, message = self._judge(item, answer)
        if ok is None:
            _say(f"{exercise_id}: not checked yet. {message}")
            return
        if ok:
            self._status[exercise_id] = PASSED
            tail = ""
            if exercise_id in self._predictions:
                tail = f" You predicted {self._predictions[exercise_id]!r}; compare it with what you measured."
            _say(f"{exercise_id}: correct, {message}.{tail}")
            return
        if self._status[exercise_id] != PASSED:
            self._status[exercise_id] = INCORRECT
        hint = self._next_hint(item)
        _say(f"{exercise_id}: incorrect. {message}" + (f"\nHint: {hint}" if hint else ""))

    def hint(self, exercise_id: str) -> None:
        """Print the next hint (they are graded: the first is the gentlest)."""
        item = self._get(exercise_id)
        hint = self._next_hint(item)
        _say(
            f"{exercise_id} hint: {hint}"
            if hint
            else f"{exercise_id}: no more hints; ex.solution({exercise_id!r}) shows the solution."
        )

    def solution(self, exercise_id: str) -> None:
        """Print the reference solution (a concept question: its explanation, which names the key)."""
        item = self._get(exercise_id)
        if item.kind == "concept":
            _say(f"{exercise_id} solution: {item.explanation}")
        else:
            _say(
                f"{exercise_id} solution (run it in a cell, then check `answer`):\n{item.solution.strip()}"
            )

    # -- progress ------------------------------------------------------------------------------
    def status(self) -> dict[str, str]:
        """Return id -> ``passed`` | ``incorrect`` | ``not_attempted`` (latest verdict; a pass stays)."""
        return dict(self._status)

    def progress_metrics(self) -> dict[str, object]:
        """Return the metrics ``mlkit run`` records for this notebook's exercises.

        ``exercises_total`` counts exercises and concept questions; ``concept_questions_total``
        the questions among them; ``exercise_status`` maps each id to its status.
        """
        values = list(self._status.values())
        return {
            "exercises_total": len(values),
            "exercises_passed": values.count(PASSED),
            "exercises_not_attempted": values.count(NOT_ATTEMPTED),
            "concept_questions_total": sum(i.kind == "concept" for i in self._items.values()),
            "exercise_status": dict(self._status),
        }

    def progress(self) -> None:
        """Print the progress table and record the progress metrics (see ``progress_metrics``)."""
        from mlkit.recording import record

        metrics = self.progress_metrics()
        rows = [f"{'id':7} {'status':14} title"]
        rows += [f"{i:7} {s:14} {self._items[i].title}" for i, s in self._status.items()]
        _say(
            f"Exercises of notebook {self.notebook}: {metrics['exercises_passed']} of "
            f"{metrics['exercises_total']} passed, {metrics['exercises_not_attempted']} not attempted\n"
            + "\n".join(rows)
        )
        for name, value in metrics.items():
            record(name, value)

    # -- internals -----------------------------------------------------------------------------
    def _next_hint(self, item) -> str | None:
        n = self._hints_shown[item.id]
        if n >= len(item.hints):
            return item.hints[-1] if item.hints else None
        self._hints_shown[item.id] = n + 1
        return f"({n + 1}/{len(item.hints)}) {item.hints[n]}"

    def _judge(self, item, answer) -> tuple[bool | None, str]:
        """Return (ok, message), ok None when the notebook is not ready; never raises."""
        if item.kind == "concept":
            if not isinstance(answer, str) or answer.strip().lower() not in {
                k.lower() for k in item.options
            }:
                return (
                    False,
                    f"Answer with one letter of {', '.join(item.options)}; got {answer!r}.",
                )
            if answer_digest(item.id, answer) == item.key_digest:
                return True, f"({answer.strip().lower()}) is right"
            return False, f"({answer.strip().lower()}) is not the best answer."
        try:
            return True, item.check(answer, self._ns)
        except NotReadyError as err:
            return None, str(err)
        except AnswerError as err:
            return False, str(err)
        except Exception as err:  # a learner's odd answer must not raise in their face
            return False, f"Could not check this answer ({type(err).__name__}: {err})."

    def _reference(self, item):
        scope = dict(self._ns)
        scope.pop("answer", None)
        try:
            exec(compile(item.solution, f"<solution {item.id}>", "exec"), scope)  # noqa: S102
        except Exception as err:
            raise ExerciseError(
                f"Exercise {item.id} ({item.title}): its reference solution raised {type(err).__name__}: {err}"
            ) from err
        if "answer" not in scope:
            raise ExerciseError(
                f"Exercise {item.id}: its reference solution does not set `answer`."
            )
        return scope["answer"]

    def _check_solution(self, item) -> None:
        if item.kind == "concept":
            key = item.key()
            wrong = [k for k in item.options if k != key]
        else:
            key = self._reference(item)
            wrong = [w(key) if callable(w) else w for w in item.wrong]
            if not wrong:
                raise ExerciseError(
                    f"Exercise {item.id} has no planted wrong answer; add one to `wrong`."
                )
        ok, message = self._judge(item, key)
        if ok is None:
            raise ExerciseError(f"Exercise {item.id} ({item.title}): not ready: {message}")
        if not ok:
            raise ExerciseError(
                f"Exercise {item.id} ({item.title}): the reference solution fails its own check: {message}"
            )
        for bad in [*wrong, "not an answer", float("nan")]:
            bad_ok, _ = self._judge(item, bad)
            if bad_ok is not False:
                raise ExerciseError(
                    f"Exercise {item.id} ({item.title}): the wrong answer {bad!r} passes its check."
                )
        self._status[item.id] = PASSED
        _say(
            f"{item.id}: solution mode: the reference passes ({message}); {len(wrong)} wrong answer(s) rejected."
        )
