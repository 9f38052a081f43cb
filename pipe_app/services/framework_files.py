"""Framework files (YAML and CSV): read, check line by line, and turn into a FrameworkSpec.

A site that holds its own criteria (the Royal College's portfolio pack, a local rewording, the
probation inspection standards) imports them from a file as a NEW framework version. Existing
versions are never changed, because evidence links and self-assessments point at their criteria.

Two file formats, both UTF-8 (a byte-order mark is fine). Values are read as text exactly as
written (a YAML ``1.10`` stays "1.10"), then trimmed and NFC-normalised like every form field.

YAML (``.yaml`` or ``.yml``)::

    name: Enabling Environments          # required, up to 160 characters, one line
    version: Crowley House 2026          # required, up to 40 characters, one line
    description: optional text
    source: optional, up to 200 characters (defaults to the file name)
    standards:                           # at least one
      - code: "1"                        # required, unique in the file, up to 20 characters
        name: Belonging                  # required, up to 120 characters
        statement: The nature and quality of relationships are of primary importance
        criteria:                        # at least one per standard
          - code: "1.1"                  # required, unique in the file
            text: Every resident has a named key worker ...   # required
            guidance: what evidence would show it             # optional

CSV (``.csv``), a header row then one row per criterion, with the framework, version and
standard columns repeated on each row (or left blank after the first row that gives them); a
standard's rows must be together. ``guidance`` is the only optional column::

    framework,version,standard_code,standard_name,standard_statement,criterion_code,criterion_text,guidance

Long text (description, statement, criterion text and guidance) may be up to 4,000 characters.
Nothing is written until the whole file is valid; a bad file raises a ValidationError whose
problems name the line (``line 14``) and what is wrong with it.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import inspect
from sqlalchemy.orm import Mapper
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pipe_app import paths
from pipe_app.domain import Criterion, Framework, Standard
from pipe_app.services.errors import FieldProblem, ValidationError
from pipe_app.services.validation import Checks

BUILTIN_FILE = "enabling_environments.yaml"
MAX_FILE_BYTES = 2_000_000
TEXT_LIMIT = 4000  # for Text columns, which have no length of their own
MAX_PROBLEMS = 50

CSV_COLUMNS = (
    "framework",
    "version",
    "standard_code",
    "standard_name",
    "standard_statement",
    "criterion_code",
    "criterion_text",
    "guidance",
)
CSV_OPTIONAL = frozenset({"guidance"})
YAML_TOP_KEYS = ("name", "version", "description", "source", "standards")
YAML_STANDARD_KEYS = ("code", "name", "statement", "criteria")
YAML_CRITERION_KEYS = ("code", "text", "guidance")
_NULL_TAG = "tag:yaml.org,2002:null"


def _limit(model: type[Framework | Standard | Criterion], column: str) -> int:
    mapper: Mapper[Any] = inspect(model)
    length = getattr(mapper.columns[column].type, "length", None)
    return int(length) if length else TEXT_LIMIT


# A parsed, validated file, before anything is written -----------------------------------------


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    text: str
    guidance: str


@dataclass(frozen=True)
class StandardSpec:
    code: str
    name: str
    statement: str
    criteria: tuple[CriterionSpec, ...]


@dataclass(frozen=True)
class FrameworkSpec:
    name: str
    framework_version: str
    description: str
    source: str
    standards: tuple[StandardSpec, ...]
    line: int = 1  # where the version is, for the "already exists" message


@dataclass
class _Raw:
    """One value as the file holds it, with the line it is on."""

    value: str
    line: int


@dataclass
class _RawCriterion:
    line: int
    code: _Raw
    text: _Raw
    guidance: _Raw


@dataclass
class _RawStandard:
    line: int
    code: _Raw
    name: _Raw
    statement: _Raw
    criteria: list[_RawCriterion] = field(default_factory=list)


@dataclass
class _RawFramework:
    line: int
    name: _Raw
    version: _Raw
    description: _Raw
    source: _Raw
    standards: list[_RawStandard] = field(default_factory=list)


class _Problems:
    """Problems keyed by line, so a site can fix its file in one pass."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def add(self, line: int, message: str) -> None:
        self.problems.append(FieldProblem(f"line {line}", message))

    def raise_if_any(self) -> None:
        if not self.problems:
            return
        shown = self.problems[:MAX_PROBLEMS]
        hidden = len(self.problems) - len(shown)
        if hidden:
            shown.append(FieldProblem("file", f"{hidden} more problems are not shown"))
        raise ValidationError(shown)

    def text(
        self, raw: _Raw, what: str, *, limit: int, missing: str | None, one_line: bool = False
    ) -> str:
        """Cleaned like a form field; ``missing`` is the message when a required value is empty."""
        checks = Checks()
        cleaned = checks.text("value", raw.value, max_length=limit, required=False)
        for problem in checks.problems:
            self.add(raw.line, f"{what} {problem.message}")
        if checks.problems:
            return cleaned
        if missing is not None and not cleaned:
            self.add(raw.line, missing)
        elif one_line and "\n" in cleaned:
            self.add(raw.line, f"{what} must be on one line")
        return cleaned


def _validate(raw: _RawFramework, problems: _Problems) -> FrameworkSpec:
    name = problems.text(
        raw.name,
        "the framework name",
        limit=_limit(Framework, "name"),
        missing="the framework has no name",
        one_line=True,
    )
    version = problems.text(
        raw.version,
        "the framework version",
        limit=_limit(Framework, "framework_version"),
        missing="the framework has no version",
        one_line=True,
    )
    description = problems.text(
        raw.description, "the description", limit=_limit(Framework, "description"), missing=None
    )
    source = problems.text(
        raw.source, "the source", limit=_limit(Framework, "source"), missing=None, one_line=True
    )
    if not raw.standards:
        problems.add(raw.line, "the framework has no standards")
    standard_lines: dict[str, int] = {}
    criterion_lines: dict[str, int] = {}
    standards: list[StandardSpec] = []
    for number, item in enumerate(raw.standards, start=1):
        code = problems.text(
            item.code,
            "the standard code",
            limit=_limit(Standard, "code"),
            missing=f"standard number {number} in the file has no code",
            one_line=True,
        )
        label = f"standard {code}" if code else f"standard number {number}"
        if code:
            first = standard_lines.get(code.casefold())
            standard_lines.setdefault(code.casefold(), item.code.line)
            if first is not None:
                problems.add(item.code.line, f"{label} is used twice (first on line {first})")
        standard_name = problems.text(
            item.name,
            f"the name of {label}",
            limit=_limit(Standard, "name"),
            missing=f"{label} has no name",
            one_line=True,
        )
        statement = problems.text(
            item.statement,
            f"the statement of {label}",
            limit=_limit(Standard, "statement"),
            missing=f"{label} has no statement",
        )
        if not item.criteria:
            problems.add(item.line, f"{label} has no criteria; evidence is linked to criteria")
        criteria: list[CriterionSpec] = []
        for position, entry in enumerate(item.criteria, start=1):
            criterion_code = problems.text(
                entry.code,
                "the criterion code",
                limit=_limit(Criterion, "code"),
                missing=f"criterion number {position} of {label} has no code",
                one_line=True,
            )
            what = f"criterion {criterion_code}" if criterion_code else f"criterion {position}"
            if criterion_code:
                first = criterion_lines.get(criterion_code.casefold())
                criterion_lines.setdefault(criterion_code.casefold(), entry.code.line)
                if first is not None:
                    problems.add(entry.code.line, f"{what} is used twice (first on line {first})")
            text = problems.text(
                entry.text,
                f"the text of {what}",
                limit=_limit(Criterion, "text"),
                missing=f"{what} has no text",
            )
            guidance = problems.text(
                entry.guidance,
                f"the guidance of {what}",
                limit=_limit(Criterion, "guidance"),
                missing=None,
            )
            criteria.append(CriterionSpec(criterion_code, text, guidance))
        standards.append(StandardSpec(code, standard_name, statement, tuple(criteria)))
    problems.raise_if_any()
    return FrameworkSpec(name, version, description, source, tuple(standards), raw.version.line)


# YAML -----------------------------------------------------------------------------------------


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _compose(text: str) -> Node | None:
    """Nodes rather than Python objects: they carry line numbers, and nothing is constructed."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        reason = exc.problem or exc.context or "the file could not be read"
        context = exc.context_mark
        if exc.problem and exc.context and context is not None and context.line + 1 != line:
            reason += f" ({exc.context} on line {context.line + 1})"
        raise ValidationError.single(f"line {line}", f"is not valid YAML: {reason}") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise ValidationError.single(
            f"line {line}", f"holds a character YAML does not allow (U+{code:04X})"
        ) from None
    except yaml.YAMLError as exc:
        raise ValidationError.single("line 1", f"is not valid YAML: {exc}") from None
    except RecursionError:
        raise ValidationError.single("line 1", "is nested too deeply to be a framework") from None


def _mapping(
    node: Node, keys: tuple[str, ...], what: str, problems: _Problems
) -> dict[str, Node] | None:
    if not isinstance(node, MappingNode):
        problems.add(_line(node), f"{what} must be a mapping with the keys {', '.join(keys)}")
        return None
    found: dict[str, Node] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            problems.add(_line(key_node), f"{what} has a key that is not a plain word")
            continue
        key = str(key_node.value)
        if key not in keys:
            problems.add(
                _line(key_node),
                f"{what} has an unknown key {key!r}; the keys are {', '.join(keys)}",
            )
        elif key in found:
            problems.add(_line(key_node), f"{what} has the key {key!r} twice")
        else:
            found[key] = value_node
    return found


def _scalar(values: dict[str, Node], key: str, at: int, what: str, problems: _Problems) -> _Raw:
    """The raw text of a value; a missing or null value is empty text on the owner's line."""
    node = values.get(key)
    if node is None:
        return _Raw("", at)
    if not isinstance(node, ScalarNode):
        kind = "a list" if isinstance(node, SequenceNode) else "a mapping"
        problems.add(_line(node), f"{what} {key} must be text, not {kind}")
        return _Raw("", _line(node))
    if node.tag == _NULL_TAG:
        return _Raw("", _line(node))
    return _Raw(str(node.value), _line(node))


def _sequence(values: dict[str, Node], key: str, what: str, problems: _Problems) -> list[Node]:
    node = values.get(key)
    if node is None or (isinstance(node, ScalarNode) and node.tag == _NULL_TAG):
        return []
    if not isinstance(node, SequenceNode):
        problems.add(_line(node), f"{what} {key} must be a list")
        return []
    return list(node.value)


def _raw_from_yaml(text: str, file_name: str) -> _RawFramework:
    problems = _Problems()
    root = _compose(text)
    if root is None:
        raise ValidationError.single("line 1", "the file is empty")
    top = _mapping(root, YAML_TOP_KEYS, "the file", problems)
    if top is None:
        problems.raise_if_any()
        raise AssertionError("unreachable")
    at = _line(root)
    raw = _RawFramework(
        at,
        _scalar(top, "name", at, "the framework", problems),
        _scalar(top, "version", at, "the framework", problems),
        _scalar(top, "description", at, "the framework", problems),
        _scalar(top, "source", at, "the framework", problems),
    )
    if not raw.source.value:
        raw.source = _Raw(_default_source(file_name), at)
    for standard_node in _sequence(top, "standards", "the framework", problems):
        values = _mapping(standard_node, YAML_STANDARD_KEYS, "a standard", problems)
        if values is None:
            continue
        line = _line(standard_node)
        standard = _RawStandard(
            line,
            _scalar(values, "code", line, "the standard", problems),
            _scalar(values, "name", line, "the standard", problems),
            _scalar(values, "statement", line, "the standard", problems),
        )
        raw.standards.append(standard)
        for criterion_node in _sequence(values, "criteria", "the standard", problems):
            entry = _mapping(criterion_node, YAML_CRITERION_KEYS, "a criterion", problems)
            if entry is None:
                continue
            at_criterion = _line(criterion_node)
            standard.criteria.append(
                _RawCriterion(
                    at_criterion,
                    _scalar(entry, "code", at_criterion, "the criterion", problems),
                    _scalar(entry, "text", at_criterion, "the criterion", problems),
                    _scalar(entry, "guidance", at_criterion, "the criterion", problems),
                )
            )
    problems.raise_if_any()
    return raw


# CSV ------------------------------------------------------------------------------------------


def _csv_rows(text: str) -> list[tuple[int, list[str]]]:
    """Each record with the line it starts on (a quoted value may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        line = max(start, reader.line_num)
        raise ValidationError.single(f"line {line}", f"is not valid CSV: {exc}") from None
    return [(line, cells) for line, cells in rows if any(cell.strip() for cell in cells)]


def _csv_header(line: int, cells: list[str]) -> list[str]:
    problems = _Problems()
    header = [cell.strip().lower() for cell in cells]
    for number, column in enumerate(header, start=1):
        if not column:
            problems.add(line, f"column {number} of the header has no name")
        elif column not in CSV_COLUMNS:
            shown = column if len(column) <= 40 else column[:40] + "…"
            problems.add(
                line, f"unknown column {shown!r}; the columns are {', '.join(CSV_COLUMNS)}"
            )
        elif header.count(column) > 1:
            problems.add(line, f"the column {column!r} appears more than once")
    for column in CSV_COLUMNS:
        if column not in header and column not in CSV_OPTIONAL:
            problems.add(line, f"the header has no {column!r} column")
    problems.raise_if_any()
    return header


def _same(first: str, second: str) -> bool:
    return (
        unicodedata.normalize("NFC", first).strip() == unicodedata.normalize("NFC", second).strip()
    )


def _raw_from_csv(text: str, file_name: str) -> _RawFramework:
    rows = _csv_rows(text)
    if not rows:
        raise ValidationError.single("line 1", "the file is empty")
    header_line, header_cells = rows[0]
    header = _csv_header(header_line, header_cells)
    if len(rows) == 1:
        raise ValidationError.single(f"line {header_line}", "the file has no rows after the header")
    problems = _Problems()
    first_line = rows[1][0]
    raw = _RawFramework(
        first_line, _Raw("", first_line), _Raw("", first_line), _Raw("", first_line),
        _Raw(_default_source(file_name), first_line),
    )  # fmt: skip
    by_code: dict[str, _RawStandard] = {}
    current: _RawStandard | None = None
    for line, cells in rows[1:]:
        if len(cells) != len(header):
            problems.add(line, f"the row has {len(cells)} values; the header has {len(header)}")
            continue
        row = dict(zip(header, cells, strict=True))
        for column, target in (("framework", raw.name), ("version", raw.version)):
            value = row[column]
            if not value.strip():
                continue
            if not target.value.strip():
                target.value, target.line = value, line
            elif not _same(value, target.value):
                problems.add(
                    line,
                    f"the {column} differs from line {target.line}; "
                    "a file holds one framework version",
                )
        code = row["standard_code"]
        key = unicodedata.normalize("NFC", code).strip().casefold()
        if not key:
            problems.add(line, "the row has no standard_code")
            continue
        standard = by_code.get(key)
        if standard is None:
            standard = _RawStandard(line, _Raw(code, line), _Raw("", line), _Raw("", line))
            by_code[key] = standard
            raw.standards.append(standard)
        elif standard is not current:
            problems.add(
                line,
                f"standard {code.strip()} appears again after other standards (first on line "
                f"{standard.line}); keep a standard's rows together",
            )
        current = standard
        for column, target in (
            ("standard_name", standard.name),
            ("standard_statement", standard.statement),
        ):
            value = row[column]
            if not value.strip():
                continue
            if not target.value.strip():
                target.value, target.line = value, line
            elif not _same(value, target.value):
                what = column.removeprefix("standard_")
                problems.add(
                    line,
                    f"the {what} of standard {code.strip()} differs from line {target.line}",
                )
        guidance = row.get("guidance", "")
        if row["criterion_code"].strip() or row["criterion_text"].strip() or guidance.strip():
            standard.criteria.append(
                _RawCriterion(
                    line,
                    _Raw(row["criterion_code"], line),
                    _Raw(row["criterion_text"], line),
                    _Raw(guidance, line),
                )
            )
    problems.raise_if_any()
    return raw


# Files ----------------------------------------------------------------------------------------


def _default_source(file_name: str) -> str:
    source = f"Imported from {file_name}"
    limit = _limit(Framework, "source")
    return source if len(source) <= limit else source[: limit - 1] + "…"


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ValidationError.single(
                "file", f"is {size:,} bytes; the most allowed is {MAX_FILE_BYTES:,}"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError.single("file", f"cannot be read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ValidationError.single(
            f"line {line}", "is not UTF-8 text; save the file as UTF-8 (in Excel: CSV UTF-8)"
        ) from None
    if not text.strip():
        raise ValidationError.single("line 1", "the file is empty")
    return text


def parse_framework_file(path: Path | str) -> FrameworkSpec:
    """Read and validate a framework file without writing anything (also a preview for the GUI)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".csv"):
        raise ValidationError.single("file", "must be a .yaml, .yml or .csv file")
    text = _read_text(path)
    read = _raw_from_csv if suffix == ".csv" else _raw_from_yaml
    raw = read(text, path.name)
    return _validate(raw, _Problems())


def builtin_path() -> Path:
    return paths.resources_dir() / "frameworks" / BUILTIN_FILE
