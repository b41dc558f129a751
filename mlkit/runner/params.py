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
import tokenize
from dataclasses import dataclass
from pathlib import Path

from mlkit.errors import ParameterError

__all__ = ["Parameter", "ParameterError", "read_parameters", "coerce_cli_value", "check_overrides"]


@dataclass(frozen=True)
class Parameter:
    """One notebook parameter: its name, annotation, default value and help text."""

    name: str
    type: str
    default: object
    help: str

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
    if not path.is_file():
        raise FileNotFoundError(f"Notebook {path} does not exist. Check the path (see nbs_ci.yml).")
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ParameterError(f"Notebook {path} is not valid JSON: {exc}.") from exc
    cells = _parameters_cells(nb)
    if len(cells) != 1:
        raise ParameterError(
            f"Notebook {path} must have exactly one cell tagged 'parameters'; it has {len(cells)}. "
            "In JupyterLab open the property inspector (gear icon) of the cell that assigns the "
            "parameters and add the tag 'parameters'."
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
        params.append(Parameter(name, type_str, default, comments.get(stmt.lineno, "")))
    return params


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
