"""Claims: the relations between recorded metrics that a notebook's text asserts.

A golden value pins a number for one profile's parameters; a claim is a lesson, such as
"the model is below human-level performance on people_noise", written as a relation between
metrics the notebook records::

    claims:
      model_below_hlp_people_noise:
        expr: tag_hlp_people_noise > tag_accuracy_people_noise
        says: people beat the model on people_noise, so that tag has room to improve

Claims are evaluated on every run of the notebook, with overridden parameters too (a lesson that
holds only for the default seed is not a lesson). Expressions are parsed with :mod:`ast` and
evaluated by a small interpreter (no ``eval``): metric names, numbers, strings, ``True``/``False``,
``+ - * /``, comparisons (chains allowed), ``and``/``or``/``not``, and the functions ``abs``,
``min``, ``max``.
"""

from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass

from mlkit.errors import ConfigError

__all__ = ["Claim", "parse_claim", "evaluate_claim"]

_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}
_CMPOPS = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_FUNCS = {"abs": abs, "min": min, "max": max}
_ALLOWED = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.BinOp,
    ast.Div,
    ast.Compare,
    ast.Call,
    ast.Name,
    ast.Load,
    ast.Constant,
    *_BINOPS,
    *_CMPOPS,
)


@dataclass(frozen=True)
class Claim:
    """One claim of a notebook under a profile.

    Attributes
    ----------
    name : str
        Identifier of the claim (its key in ``nbs_ci.yml``).
    expr : str
        The relation, for example ``"targeted_gain_mean > unrealistic_gain_mean"``.
    says : str
        The sentence the notebook teaches that this relation checks (may be empty).
    metrics : tuple of str
        The metric names `expr` reads, sorted.
    """

    name: str
    expr: str
    says: str = ""
    metrics: tuple[str, ...] = ()


def parse_claim(name: str, spec, *, where: str) -> Claim:
    """Validate one claim of ``nbs_ci.yml`` and return it.

    Parameters
    ----------
    name : str
        The claim's key.
    spec : str or dict
        Either the expression itself or a mapping ``{expr: ..., says: ...}``.
    where : str
        The file, notebook and profile, for error messages.

    Returns
    -------
    Claim

    Raises
    ------
    ConfigError
        Naming the claim and `where`, when `spec` is malformed, the expression does not parse
        or uses anything but metric names, constants, arithmetic, comparisons, ``and``/``or``/
        ``not`` and ``abs``/``min``/``max``.

    Examples
    --------
    >>> c = parse_claim("gain", "a_gain > b_gain + 0.01", where="nbs_ci.yml")
    >>> c.metrics
    ('a_gain', 'b_gain')
    >>> parse_claim("bad", "__import__('os')", where="nbs_ci.yml")
    Traceback (most recent call last):
      ...
    mlkit.errors.ConfigError: nbs_ci.yml, claim 'bad': only abs, min and max may be called...
    """
    if isinstance(spec, str):
        spec = {"expr": spec}
    if not isinstance(spec, dict) or not isinstance(spec.get("expr"), str):
        raise ConfigError(
            f"{where}, claim {name!r}: expected an expression string or a mapping "
            f"{{expr: 'metric_a > metric_b', says: '...'}}. Got {spec!r} instead."
        )
    unknown = set(spec) - {"expr", "says"}
    if unknown:
        raise ConfigError(
            f"{where}, claim {name!r}: unknown key(s) {sorted(unknown)}; allowed: expr, says."
        )
    expr = spec["expr"].strip()
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError as exc:
        raise ConfigError(
            f"{where}, claim {name!r}: {expr!r} is not a valid expression ({exc.msg}). "
            "Write a relation such as 'gain_mean > 0' or 'a_ci_low > b_ci_high'."
        ) from None
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCS or node.keywords:
                raise ConfigError(
                    f"{where}, claim {name!r}: only abs, min and max may be called, with "
                    f"positional arguments. Got {ast.unparse(node)!r} in {expr!r}."
                )
        elif isinstance(node, ast.Name):
            if node.id not in _FUNCS:
                names.add(node.id)
        elif not isinstance(node, _ALLOWED):
            raise ConfigError(
                f"{where}, claim {name!r}: {type(node).__name__} is not allowed in a claim "
                f"({expr!r}). Use metric names, numbers, + - * /, comparisons, and/or/not, "
                "abs/min/max."
            )
        if isinstance(node, ast.Constant) and node.value is None:
            raise ConfigError(f"{where}, claim {name!r}: None is not a value ({expr!r}).")
    if not names:
        raise ConfigError(
            f"{where}, claim {name!r}: {expr!r} names no metric, so it cannot fail or hold "
            "on a run. Compare recorded metrics."
        )
    says = spec.get("says", "")
    if not isinstance(says, str):
        raise ConfigError(f"{where}, claim {name!r}: 'says' must be a sentence (a string).")
    return Claim(name=name, expr=expr, says=says.strip(), metrics=tuple(sorted(names)))


def _eval(node, values):
    if isinstance(node, ast.Expression):
        return _eval(node.body, values)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.BoolOp):
        results = (_eval(v, values) for v in node.values)
        return all(results) if isinstance(node.op, ast.And) else any(results)
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, values)
        if isinstance(node.op, ast.Not):
            return not v
        return -v if isinstance(node.op, ast.USub) else +v
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, values), _eval(node.right, values)
        if isinstance(node.op, ast.Div):
            return math.nan if right == 0 else left / right
        return _BINOPS[type(node.op)](left, right)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, values)
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = _eval(comp, values)
            if not _CMPOPS[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Call):
        return _FUNCS[node.func.id](*(_eval(a, values) for a in node.args))
    raise TypeError(f"unexpected node {type(node).__name__}")  # parse_claim refuses it first


def evaluate_claim(claim: Claim, metrics: dict, *, notebook: str = "") -> dict:
    """Evaluate a claim on one notebook's recorded metrics.

    Parameters
    ----------
    claim : Claim
        From :func:`parse_claim`.
    metrics : dict of str to number, str or bool
        The notebook's recorded metrics (``metrics.json``).
    notebook : str, optional
        The notebook's name, for messages.

    Returns
    -------
    dict
        ``notebook, claim, expr, says, values, holds, note``: `holds` is True or False, or None
        when the claim cannot be evaluated (a metric is missing; `note` names it and lists
        what the notebook did record).

    Examples
    --------
    >>> c = parse_claim("beats", "a > b", where="nbs_ci.yml")
    >>> evaluate_claim(c, {"a": 0.9, "b": 0.8})["holds"]
    True
    >>> evaluate_claim(c, {"a": 0.9}, notebook="nb.ipynb")["note"]
    "claim 'beats' of nb.ipynb reads metric 'b', which the notebook did not record (recorded: a)"
    """
    row = {
        "notebook": notebook,
        "claim": claim.name,
        "expr": claim.expr,
        "says": claim.says,
        "values": {},
        "holds": None,
        "note": "",
    }
    missing = [m for m in claim.metrics if m not in metrics]
    if missing:
        recorded = ", ".join(sorted(metrics)) or "nothing"
        row["note"] = (
            f"claim {claim.name!r} of {notebook or 'the notebook'} reads metric "
            f"{', '.join(repr(m) for m in missing)}, which the notebook did not record "
            f"(recorded: {recorded})"
        )
        return row
    values = {m: metrics[m] for m in claim.metrics}
    row["values"] = values
    try:
        result = _eval(ast.parse(claim.expr, mode="eval"), values)
    except TypeError as exc:
        row["note"] = f"claim {claim.name!r} of {notebook}: cannot compare these values ({exc})"
        return row
    if isinstance(result, float) and math.isnan(result):
        result = False
    row["holds"] = bool(result)
    return row
