"""Read a notebook's ``parameters`` cell and check values against its annotations.

The parameters cell is a notebook's signature: one annotated assignment per line,
``n_clips: int = 600  # clips to load``. This module reads it without running anything,
so bad overrides are refused before any kernel starts.
"""

from __future__ import annotations

import ast
import io
import json
import os
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

from mlkit.errors import ParameterError

__all__ = [
    "Parameter",
    "ParameterError",
    "read_parameters",
    "coerce_cli_value",
    "check_overrides",
    "parse_help",
    "paired_groups",
]


@dataclass(frozen=True)
class Parameter:
    """One notebook parameter: its name, annotation, default value and help text."""

    name: str
    type: str
    default: object
    help: str
    rules: tuple[str, ...] = ()
    pair: tuple[str, ...] = ()

    def check_rules(self, value, *, notebook: str, source: str = "override") -> None:
        """Raise ParameterError if `value` breaks a rule of the help comment (``[>= 0]``).

        Comparisons apply to a number or to each number of a list; ``non-empty`` to a list,
        dict or string. None (for an optional parameter) passes.
        """
        if value is None:
            return
        for rule in self.rules:
            choices = _ONE_OF.match(rule)
            if choices:
                allowed = [c.strip() for c in choices.group(1).split("|")]
                if value not in allowed:
                    raise ParameterError(
                        f"Parameter {self.name!r} of {notebook} ({source}) must be one of "
                        f"{', '.join(repr(a) for a in allowed)}. Got {value!r} instead."
                    )
                continue
            if rule == "non-empty":
                if hasattr(value, "__len__") and len(value) == 0:
                    raise ParameterError(
                        f"Parameter {self.name!r} of {notebook} ({source}) must be non-empty. "
                        f"Got {value!r} instead. Give at least one item, or leave the "
                        "parameter out to use its default."
                    )
                continue
            op, bound = _parse_comparison(rule)
            items = value if isinstance(value, list) else [value]
            for item in items:
                if isinstance(item, bool) or not isinstance(item, int | float):
                    continue
                if not _COMPARE[op](item, bound):
                    what = "every item of " if isinstance(value, list) else ""
                    raise ParameterError(
                        f"Parameter {self.name!r} of {notebook} ({source}) must have "
                        f"{what}value {rule}. Got {value!r} instead. Give a value {rule} "
                        f"(see `mlkit params {notebook}`)."
                    )

    def check(self, value, *, notebook: str, source: str = "override") -> object:
        """Return `value` if it matches this parameter's annotation, else raise ParameterError."""
        if _matches(self.type, value):
            if self.type == "float" and isinstance(value, int) and not isinstance(value, bool):
                return float(value)
            return value
        hint = ""
        if isinstance(value, str) and _base(self.type) in {"list", "dict"}:
            hint = (
                " A list or dict cannot be given as a plain string: put it in a YAML file and "
                "pass it with -f params.yaml."
            )
        raise ParameterError(
            f"Parameter {self.name!r} of {notebook} ({source}) must be of type {self.type}. "
            f"Got {value!r} of type {type(value).__name__} instead.{hint}"
        )


_COMPARE = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
}
_RULE = re.compile(r"^(>=|<=|>|<)\s*(-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)$")
_ANNOTATION = re.compile(r"\[([^\[\]]*)\]")
_PAIR = re.compile(r"^pair\s*:\s*(.+)$")
_ONE_OF = re.compile(r"^one of\s*:\s*(.+)$")


def _parse_comparison(rule: str) -> tuple[str, float]:
    op, number = _RULE.match(rule).groups()
    return op, float(number)


def parse_help(comment: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Split a parameters-cell help comment into help text, value rules and paired names.

    Bracketed annotations are read where every comma-separated item is a rule: a comparison
    (``>= 0``, ``> 0``, ``<= 1``, ``< 100``) or ``non-empty``; ``[one of: a | b]`` lists the
    allowed values of a string; ``[pair: other_name]`` names the
    parameters that must be overridden together with this one. Other brackets stay in the help.

    Examples
    --------
    >>> parse_help("seed of every random draw [>= 0]")
    ('seed of every random draw', ('>= 0',), ())
    >>> parse_help("the reference table [pair: current_csv]")
    ('the reference table', (), ('current_csv',))
    >>> parse_help("who answers the exercises [one of: learner | solution]")
    ('who answers the exercises', ('one of: learner | solution',), ())
    >>> parse_help("factors [non-empty, > 0]; range [a, b]")
    ('factors; range [a, b]', ('non-empty', '> 0'), ())
    >>> parse_help("a folder such as ../shared/data/fsdd")[0]
    'a folder such as ../shared/data/fsdd'
    """
    rules: list[str] = []
    pair: list[str] = []

    def take(match):
        body = match.group(1).strip()
        paired = _PAIR.match(body)
        choices = _ONE_OF.match(body)
        if choices:
            names = [c.strip() for c in choices.group(1).split("|") if c.strip()]
            rules.append("one of: " + " | ".join(names))
            return ""
        if paired:
            pair.extend(n.strip() for n in paired.group(1).split(",") if n.strip())
            return ""
        items = [i.strip() for i in body.split(",")]
        if items and all(i == "non-empty" or _RULE.match(i) for i in items):
            rules.extend(" ".join(_RULE.match(i).groups()) if _RULE.match(i) else i for i in items)
            return ""
        return match.group(0)

    text = _ANNOTATION.sub(take, comment)
    # close the gap an annotation leaves before punctuation, not inside a path ("../data")
    text = re.sub(r"\s+([;,.])(?=\s|$)", r"\1", re.sub(r"\s{2,}", " ", text)).strip()
    return text, tuple(rules), tuple(pair)


def _base(type_str: str) -> str:
    return type_str.split("[", 1)[0].strip()


def _split_top(text: str, sep: str) -> list[str]:
    """Split `text` at `sep` outside square brackets: ``"list[int] | None"`` at ``"|"``."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += (ch == "[") - (ch == "]")
        if ch == sep and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    return parts


def _split_union(type_str: str) -> list[str]:
    return _split_top(type_str, "|")


def _inner(type_str: str) -> list[str]:
    return _split_top(type_str[type_str.index("[") + 1 : type_str.rindex("]")], ",")


def _matches(type_str: str, value) -> bool:
    alternatives = _split_union(type_str)
    if len(alternatives) > 1:
        return any(_matches(t, value) for t in alternatives)
    t = type_str.strip()
    if t == "None":
        return value is None
    if t == "bool":
        return isinstance(value, bool)
    if t == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if t == "str":
        return isinstance(value, str)
    base = _base(t)
    if base == "list":
        if not isinstance(value, list):
            return False
        if "[" in t:
            (item,) = _inner(t)
            return all(_matches(item, v) for v in value)
        return True
    if base == "dict":
        if not isinstance(value, dict):
            return False
        if "[" in t:
            key_t, val_t = _inner(t)
            return all(_matches(key_t, k) and _matches(val_t, v) for k, v in value.items())
        return True
    raise ParameterError(f"Unsupported parameter annotation {type_str!r}.")


_SUPPORTED = "int, float, str, bool, list[...], dict[..., ...] and X | None"


def _parameters_cells(nb: dict) -> list[tuple[int, dict]]:
    return [
        (i, c)
        for i, c in enumerate(nb.get("cells", []))
        if "parameters" in c.get("metadata", {}).get("tags", [])
    ]


def read_parameters(notebook: str | os.PathLike) -> list[Parameter]:
    """Read the parameters of a notebook from its one cell tagged ``parameters``.

    Parameters
    ----------
    notebook : path-like
        Path to a ``.ipynb`` file.

    Returns
    -------
    list of Parameter
        In cell order, with the annotation as written (``"int"``, ``"list[str]"``), the
        default value and the trailing comment as help.

    Raises
    ------
    FileNotFoundError
        If the notebook does not exist.
    ParameterError
        If the notebook has no or several ``parameters`` cells, or the cell holds anything
        but annotated assignments of literal values with supported annotations.
    """
    path = Path(notebook)
    if path.is_dir():
        raise ParameterError(
            f"{path} is a folder, not a notebook. Pass one notebook file inside it, such as "
            f"{path / 'NN_phase.ipynb'}."
        )
    if not path.is_file():
        raise FileNotFoundError(f"Notebook {path} does not exist. Check the path (see nbs_ci.yml).")
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ParameterError(f"Notebook {path} is not valid JSON: {exc}.") from exc
    cells = _parameters_cells(nb)
    if not cells:
        raise ParameterError(
            f"Notebook {path} must have exactly one cell tagged 'parameters'; it has 0. "
            "In JupyterLab open the property inspector (gear icon) of the cell that assigns the "
            "parameters and add the tag 'parameters'."
        )
    if len(cells) > 1:
        where = ", ".join(str(i) for i, _ in cells)
        raise ParameterError(
            f"Notebook {path} must have exactly one cell tagged 'parameters'; it has "
            f"{len(cells)} (cells {where}). Move every parameter into the first of them and "
            "remove the tag 'parameters' from the others (property inspector, gear icon)."
        )
    src = cells[0][1].get("source", "")
    src = "".join(src) if isinstance(src, list) else src
    try:
        tree = ast.parse(src)
    except SyntaxError as exc:
        raise ParameterError(f"The parameters cell of {path} does not parse: {exc}.") from exc
    comments = {}
    for tok in tokenize.generate_tokens(io.StringIO(src).readline):
        if tok.type == tokenize.COMMENT:
            comments[tok.start[0]] = tok.string.lstrip("#").strip()
    params = []
    for stmt in tree.body:
        if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
            line = ast.get_source_segment(src, stmt) or ""
            raise ParameterError(
                f"The parameters cell of {path} may only hold annotated assignments such as "
                f"`n_clips: int = 600  # clips to load`. Got `{line.strip()}` on line {stmt.lineno}."
            )
        name = stmt.target.id
        type_str = ast.unparse(stmt.annotation)
        if stmt.value is None:
            raise ParameterError(f"Parameter {name!r} in {path} has no default value.")
        try:
            default = ast.literal_eval(stmt.value)
        except ValueError as exc:
            raise ParameterError(
                f"Parameter {name!r} in {path} must have a literal default (a number, string, "
                f"list or dict), not `{ast.unparse(stmt.value)}`. Move logic below the cell."
            ) from exc
        try:
            ok = _matches(type_str, default)
        except ParameterError as exc:
            raise ParameterError(
                f"Parameter {name!r} in {path} has annotation {type_str!r}; supported are "
                f"{_SUPPORTED}."
            ) from exc
        if not ok:
            raise ParameterError(
                f"Parameter {name!r} in {path} is annotated {type_str} but its default "
                f"{default!r} is a {type(default).__name__}."
            )
        text, rules, pair = parse_help(comments.get(stmt.lineno, ""))
        for rule in rules:
            if rule == "non-empty" and _base(_split_union(type_str)[0]) not in {
                "list",
                "dict",
                "str",
            }:
                raise ParameterError(
                    f"Parameter {name!r} in {path} is annotated {type_str}; the rule "
                    "[non-empty] applies to lists, dicts and strings only."
                )
        param = Parameter(name, type_str, default, text, rules, pair)
        try:
            param.check_rules(default, notebook=str(path), source="default")
        except ParameterError as exc:
            raise ParameterError(f"{exc} Fix the default in the parameters cell.") from None
        params.append(param)
    names = {p.name for p in params}
    for p in params:
        unknown = [n for n in p.pair if n not in names]
        if unknown:
            raise ParameterError(
                f"Parameter {p.name!r} in {path} is paired with {', '.join(map(repr, unknown))}, "
                f"which the parameters cell does not declare. Declared: {', '.join(sorted(names))}."
            )
    return params


def paired_groups(params: list[Parameter]) -> list[set[str]]:
    """Return the groups of parameters that must be overridden together (``[pair: ...]``).

    A pairing written on either side counts for both; groups that share a name merge.

    Examples
    --------
    >>> ps = [Parameter("ref", "str", "", "", pair=("cur",)), Parameter("cur", "str", "", "")]
    >>> [sorted(g) for g in paired_groups(ps)]
    [['cur', 'ref']]
    """
    groups: list[set[str]] = []
    for p in params:
        if not p.pair:
            continue
        group = {p.name, *p.pair}
        for other in [g for g in groups if g & group]:
            group |= other
            groups.remove(other)
        groups.append(group)
    return groups


def coerce_cli_value(param: Parameter, raw: str, *, notebook: str) -> object:
    """Convert a ``-p name value`` string to the parameter's annotated type.

    Strings are taken as they are for ``str`` parameters (so ``-p speaker 07`` stays
    ``"07"``); ``None`` is accepted for optional parameters; lists and dicts must come from a
    YAML file (``-f``), never a plain string.

    Raises
    ------
    ParameterError
        If `raw` cannot be read as the annotated type.
    """
    alternatives = _split_union(param.type)
    if "None" in alternatives and raw in {"None", "null"}:
        return None
    for t in alternatives:
        t = t.strip()
        try:
            if t == "str":
                return raw
            if t == "int":
                return int(raw)
            if t == "float":
                return float(raw)
            if t == "bool":
                low = raw.lower()
                if low in {"true", "1", "yes"}:
                    return True
                if low in {"false", "0", "no"}:
                    return False
        except ValueError:
            continue
    return param.check(raw, notebook=notebook, source="-p")


def check_overrides(params: list[Parameter], overrides: dict, *, notebook: str, source: str):
    """Check override names and types against a notebook's parameters.

    Returns
    -------
    dict
        The overrides with ints widened to float where the annotation says float.

    Raises
    ------
    ParameterError
        Naming the notebook, the unknown name and the known ones, or the name, expected type
        and value got.
    """
    by_name = {p.name: p for p in params}
    out = {}
    for name, value in overrides.items():
        if name not in by_name:
            known = ", ".join(sorted(by_name)) or "(none)"
            raise ParameterError(
                f"{notebook} has no parameter {name!r} ({source}). Known parameters: {known}. "
                f"See `mlkit params {notebook}`."
            )
        out[name] = by_name[name].check(value, notebook=notebook, source=source)
    return out
