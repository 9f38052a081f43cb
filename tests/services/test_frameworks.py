"""Framework service: the built-in Enabling Environments set, imports, and bad files refused."""

from __future__ import annotations

import csv
import io
import unicodedata
import uuid
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from pipe_app.domain import AuditEvent, Criterion, Framework, Standard
from pipe_app.domain.enums import Role
from pipe_app.services.errors import PermissionDenied, ValidationError
from pipe_app.services.framework_files import CSV_COLUMNS, builtin_path, parse_framework_file
from pipe_app.services.frameworks import FrameworkService
from pipe_app.services.permissions import Actor
from pipe_app.storage.database import Database

DATA = Path(__file__).resolve().parent.parent / "data" / "frameworks"

# DOMAIN.md: the ten Enabling Environments values, each a standard.
EE_STANDARDS = [
    ("1", "Belonging", "The nature and quality of relationships are of primary importance"),
    (
        "2",
        "Boundaries",
        "There are expectations of behaviour and processes to maintain and review them",
    ),
    ("3", "Communication", "It is recognised that people communicate in different ways"),
    ("4", "Development", "There are opportunities to be spontaneous and try new things"),
    ("5", "Involvement", "Everyone shares responsibility for the environment"),
    ("6", "Safety", "Support is available for everyone"),
    ("7", "Structure", "Engagement and purposeful activity is actively encouraged"),
    ("8", "Empowerment", "Power and authority are open to discussion"),
    ("9", "Leadership", "Leadership takes responsibility for the environment being enabling"),
    ("10", "Openness", "External relationships are sought and validated"),
]


def counts(db: Database) -> tuple[int, ...]:
    with db.reading() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Framework, Standard, Criterion, AuditEvent)
        )


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    # A lone surrogate cannot be UTF-8; "surrogatepass" writes the bytes a broken editor would.
    data = content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass")
    path.write_bytes(data)
    return path


# The built-in set ------------------------------------------------------------------------------


def test_builtin_file_holds_the_ten_standards_with_three_to_six_prompts(db):
    service = FrameworkService(db, Actor.system())
    row = service.install_builtin()
    assert (row.name, row.framework_version) == ("Enabling Environments", "PIPE Desk 2026")
    assert "not the Royal College" in row.description
    tree = service.tree(row.id)
    assert [(s.code, s.name, s.statement) for s in tree.standards] == EE_STANDARDS
    codes = set()
    for standard in tree.standards:
        assert 3 <= len(standard.criteria) <= 6, standard.name
        assert [c.position for c in standard.criteria] == list(range(1, len(standard.criteria) + 1))
        for criterion in standard.criteria:
            assert criterion.code.startswith(f"{standard.code}.")
            assert len(criterion.text) > 20 and len(criterion.guidance) > 40
            codes.add(criterion.code)
    assert len(codes) == len(tree.criteria())
    assert row.standard_count == 10 and row.criterion_count == len(codes)
    assert service.rows() == [row]


def test_install_builtin_twice_adds_nothing(db):
    service = FrameworkService(db, Actor.system())
    first = service.install_builtin()
    before = counts(db)
    second = service.install_builtin()
    assert second == first
    assert counts(db) == before


def test_builtin_file_lives_in_the_packaged_resources():
    assert builtin_path().is_file()
    assert parse_framework_file(builtin_path()).source == "Built into PIPE Desk"


# Imports ---------------------------------------------------------------------------------------


def test_yaml_import_adds_a_new_version_in_file_order(world):
    service = FrameworkService(world.db, world.actor(Role.MANAGER))
    builtin = FrameworkService(world.db, world.system).install_builtin()
    row = service.import_file(DATA / "site_criteria.yaml")
    assert row.id != builtin.id
    assert (row.name, row.framework_version) == (
        "Enabling Environments",
        "Crowley House local 2026",
    )
    assert row.source == "Imported from site_criteria.yaml"
    assert (row.standard_count, row.criterion_count) == (2, 4)
    assert [r.framework_version for r in service.rows()] == [
        "Crowley House local 2026",
        "PIPE Desk 2026",
    ]
    tree = service.tree(row.id)
    assert [s.code for s in tree.standards] == ["2", "10"]
    assert [c.code for c in tree.criteria()] == ["2.1", "2.2", "10.10", "10.1"]
    boundaries, openness = tree.standards
    assert boundaries.criteria[0].guidance == (
        "Minutes showing the review.\nThe signed copy of the current rules."
    )
    assert boundaries.criteria[1].text.startswith("Curfew breaches are talked through")
    assert "résumé" in boundaries.criteria[1].text
    assert openness.criteria[0].guidance == ""
    # The built-in version is untouched.
    assert (
        FrameworkService(world.db, world.system).tree(builtin.id).standards[0].name == "Belonging"
    )


def test_csv_import_adds_a_new_framework(world):
    service = FrameworkService(world.db, world.actor(Role.MANAGER, "kirk"))
    row = service.import_file(DATA / "inspection_standards.csv")
    assert (row.name, row.framework_version) == ("Approved Premises inspection", "Kirk Lodge 2026")
    tree = service.tree(row.id)
    assert [(s.code, s.name) for s in tree.standards] == [
        ("L", "Leadership"),
        ("S", "Staffing"),
        ("P", "Protecting the public"),
    ]
    assert tree.standards[0].statement == "Leadership supports a high-quality, personalised service"
    staffing = tree.standards[1]
    assert staffing.statement == "Staff are enabled to deliver a high-quality service"
    assert staffing.criteria[0].text.endswith('including "KUF Awareness"')
    assert staffing.criteria[1].text == "Supervision happens at the frequency\nlocal policy sets"
    assert tree.standards[2].criteria[0].guidance == ""


def test_the_same_name_and_version_is_refused_and_nothing_written(db, tmp_path):
    service = FrameworkService(db, Actor.system())
    service.import_file(DATA / "site_criteria.yaml")
    before = counts(db)
    text = (DATA / "site_criteria.yaml").read_text(encoding="utf-8")
    again = write(
        tmp_path, "again.yaml", text.replace("Crowley House local", "CROWLEY HOUSE LOCAL")
    )
    with pytest.raises(ValidationError) as caught:
        service.import_file(again)
    assert caught.value.fields == ["line 6"]
    assert "already exists" in str(caught.value)
    assert counts(db) == before


def test_only_framework_managers_import(world):
    for role in (Role.KEY_WORKER, Role.PSYCHOLOGIST):
        service = FrameworkService(world.db, world.actor(role))
        before = counts(world.db)
        with pytest.raises(PermissionDenied):
            service.import_file(DATA / "site_criteria.yaml")
        with pytest.raises(PermissionDenied):
            service.install_builtin()
        assert counts(world.db) == before
    row = FrameworkService(world.db, world.actor(Role.ADMINISTRATOR)).install_builtin()
    # Every role can read the standards to link evidence to them.
    reader = FrameworkService(world.db, world.actor(Role.KEY_WORKER, "kirk"))
    assert [r.id for r in reader.rows()] == [row.id]
    assert len(reader.tree(row.id).standards) == 10


# Bad files -------------------------------------------------------------------------------------

GOOD_YAML = """\
name: Site criteria
version: v1
standards:
  - code: "1"
    name: Belonging
    statement: Relationships matter
    criteria:
      - code: "1.1"
        text: Key work happens
"""

HEADER = ",".join(CSV_COLUMNS) + "\n"
ROW = "Site criteria,v1,1,Belonging,Relationships matter,{code},{text},\n"

# (file name, content, field, part of the message)
BAD_FILES = [
    ("empty.yaml", "", "line 1", "the file is empty"),
    ("blank.csv", "  \n\n", "line 1", "the file is empty"),
    ("comments.yaml", "# nothing here\n", "line 1", "the file is empty"),
    ("latin1.csv", HEADER.encode() + b"x\n" + "Caf\u00e9".encode("latin-1"), "line 3", "UTF-8"),
    ("tab.yaml", 'name: a\nversion: b\nstandards:\n\t- code: "1"\n', "line 4", "not valid YAML"),
    ("quote.yaml", 'name: a\nversion: "b\nstandards: []\n', "line 4", "quoted scalar on line 2"),
    ("deep.yaml", "name: " + "[" * 5000, "line 1", "nested too deeply"),
    (
        "flowdup.yaml",
        "name: a\nversion: b\nstandards: [{code: '1', name: n, statement: s, criteria: "
        "[{code: x, text: t}]}, {code: '1', name: m, statement: s, "
        "criteria: [{code: y, text: u}]}]",
        "line 3",
        "standard 1 is used twice",
    ),
    ("nul.yaml", "name: a\nversion: b\x00\n", "line 2", "character YAML does not allow"),
    ("list.yaml", "- a\n- b\n", "line 1", "must be a mapping"),
    ("noname.yaml", GOOD_YAML.replace("name: Site criteria\n", ""), "line 1", "has no name"),
    ("noversion.yaml", GOOD_YAML.replace("version: v1", "version:"), "line 2", "has no version"),
    (
        "nostandards.yaml",
        GOOD_YAML.split("standards:")[0] + "standards: []\n",
        "line 1",
        "no standards",
    ),
    ("nostandards2.yaml", "name: a\nversion: b\n", "line 1", "no standards"),
    (
        "nocode.yaml",
        GOOD_YAML.replace('- code: "1"\n', "- code:\n"),
        "line 4",
        "standard number 1 in the file has no code",
    ),
    (
        "nostdname.yaml",
        GOOD_YAML.replace("    name: Belonging\n", ""),
        "line 4",
        "standard 1 has no name",
    ),
    (
        "nostatement.yaml",
        GOOD_YAML.replace("statement: Relationships matter", 'statement: "  "'),
        "line 6",
        "standard 1 has no statement",
    ),
    (
        "nocriteria.yaml",
        GOOD_YAML.split("    criteria:")[0],
        "line 4",
        "standard 1 has no criteria",
    ),
    (
        "notext.yaml",
        GOOD_YAML.replace("        text: Key work happens\n", ""),
        "line 8",
        "criterion 1.1 has no text",
    ),
    (
        "emptytext.yaml",
        GOOD_YAML.replace("text: Key work happens", 'text: ""'),
        "line 9",
        "criterion 1.1 has no text",
    ),
    (
        "nocritcode.yaml",
        GOOD_YAML.replace('code: "1.1"', "code: ~"),
        "line 8",
        "criterion number 1 of standard 1 has no code",
    ),
    (
        "dupstandard.yaml",
        GOOD_YAML + GOOD_YAML.split("standards:\n")[1].replace('"1.1"', '"1.2"'),
        "line 10",
        "standard 1 is used twice (first on line 4)",
    ),
    (
        "dupcriterion.yaml",
        GOOD_YAML + '      - code: "1.1"\n        text: Again\n',
        "line 10",
        "criterion 1.1 is used twice (first on line 8)",
    ),
    (
        "unknownkey.yaml",
        GOOD_YAML.replace("    statement:", "    statment:"),
        "line 6",
        "unknown key 'statment'",
    ),
    (
        "longname.yaml",
        GOOD_YAML.replace("Site criteria", "N" * 161),
        "line 1",
        "161 characters long; the most allowed is 160",
    ),
    (
        "longcode.yaml",
        GOOD_YAML.replace('"1.1"', '"' + "1" * 21 + '"'),
        "line 8",
        "the most allowed is 20",
    ),
    (
        "longtext.yaml",
        GOOD_YAML.replace("Key work happens", "k" * 4001),
        "line 9",
        "the most allowed is 4000",
    ),
    (
        "multiline.yaml",
        GOOD_YAML.replace("version: v1", 'version: "v1\\nv2"'),
        "line 2",
        "must be on one line",
    ),
    (
        "control.yaml",
        GOOD_YAML.replace("Key work happens", '"Key\\x07work"'),
        "line 9",
        "control characters",
    ),
    (
        "textlist.yaml",
        GOOD_YAML.replace("text: Key work happens", "text: [a, b]"),
        "line 9",
        "text must be text, not a list",
    ),
    (
        "dupkey.yaml",
        GOOD_YAML.replace("version: v1", "version: v1\nversion: v2"),
        "line 3",
        "has the key 'version' twice",
    ),
    (
        "unknowncol.csv",
        HEADER.replace("guidance", "guidance,colour")
        + ROW.replace(",\n", ",,red\n").format(code="1.1", text="Key work"),
        "line 1",
        "unknown column 'colour'",
    ),
    (
        "missingcol.csv",
        HEADER.replace(",criterion_text", "") + "a,b,1,n,s,1.1,\n",
        "line 1",
        "no 'criterion_text' column",
    ),
    ("headeronly.csv", HEADER, "line 1", "no rows after the header"),
    ("emptycol.csv", HEADER.replace("\n", ",\n") + "a,b,1,n,s,1.1,t,,\n", "line 1", "column 9 of"),
    (
        "csvnotext.csv",
        HEADER + ROW.format(code="1.1", text="Key work") + ROW.format(code="1.2", text=""),
        "line 3",
        "criterion 1.2 has no text",
    ),
    (
        "csvnoname.csv",
        HEADER + ROW.replace("Site criteria", "").format(code="1.1", text="Key"),
        "line 2",
        "the framework has no name",
    ),
    (
        "csvnoversion.csv",
        HEADER + ROW.replace(",v1,", ",,").format(code="1.1", text="Key"),
        "line 2",
        "the framework has no version",
    ),
    (
        "csvnocode.csv",
        HEADER + ROW.replace(",1,Belonging", ",,Belonging").format(code="1.1", text="Key"),
        "line 2",
        "no standard_code",
    ),
    (
        "csvnostatement.csv",
        HEADER + ROW.replace("Relationships matter", "").format(code="1.1", text="Key"),
        "line 2",
        "standard 1 has no statement",
    ),
    (
        "csvdupcrit.csv",
        HEADER + ROW.format(code="1.1", text="a") + ROW.format(code="1.1", text="b"),
        "line 3",
        "criterion 1.1 is used twice (first on line 2)",
    ),
    (
        "csvdupstd.csv",
        HEADER
        + ROW.format(code="1.1", text="a")
        + ROW.replace(",1,Belonging", ",2,Boundaries").format(code="2.1", text="b")
        + ROW.format(code="1.2", text="c"),
        "line 4",
        "standard 1 appears again after other standards",
    ),
    (
        "csvdiffname.csv",
        HEADER
        + ROW.format(code="1.1", text="a")
        + ROW.replace("Belonging", "Belong").format(code="1.2", text="b"),
        "line 3",
        "the name of standard 1 differs from line 2",
    ),
    (
        "csvdiffversion.csv",
        HEADER
        + ROW.format(code="1.1", text="a")
        + ROW.replace(",v1,", ",v2,").format(code="1.2", text="b"),
        "line 3",
        "the version differs from line 2",
    ),
    (
        "csvwidth.csv",
        HEADER + ROW.format(code="1.1", text="a") + "x,y\n",
        "line 3",
        "the row has 2 values; the header has 8",
    ),
    ("csvquote.csv", HEADER + 'Site,v1,1,"Bel"x,s,1.1,t,\n', "line 2", "not valid CSV"),
    (
        "csvlongstd.csv",
        HEADER + ROW.replace("Belonging", "B" * 121).format(code="1.1", text="a"),
        "line 2",
        "the most allowed is 120",
    ),
    (
        "csvmultiline.csv",
        HEADER
        + ROW.format(code="1.1", text="a")
        + ROW.format(code='"1.2\n1.3"', text="b")
        + ROW.format(code="1.4", text=""),
        "line 5",
        "criterion 1.4 has no text",
    ),
    ("criteria.txt", GOOD_YAML, "file", "must be a .yaml, .yml or .csv file"),
]


@pytest.mark.parametrize(
    ("name", "content", "where", "message"), BAD_FILES, ids=[case[0] for case in BAD_FILES]
)
def test_a_bad_file_names_the_line_and_the_problem(tmp_path, name, content, where, message):
    with pytest.raises(ValidationError) as caught:
        parse_framework_file(write(tmp_path, name, content))
    problems = [(p.field, p.message) for p in caught.value.problems]
    assert any(field == where and message in text for field, text in problems), problems


def test_every_bad_file_is_refused_by_the_import_and_writes_nothing(db, tmp_path):
    service = FrameworkService(db, Actor.system())
    service.install_builtin()
    before = counts(db)
    for name, content, where, message in BAD_FILES:
        with pytest.raises(ValidationError) as caught:
            service.import_file(write(tmp_path, name, content))
        assert where in caught.value.fields, (name, caught.value.problems)
        assert message in str(caught.value), (name, str(caught.value))
        assert counts(db) == before, name
    # The good base file really is good: the cases fail for the reason they name.
    service.import_file(write(tmp_path, "good.yaml", GOOD_YAML))
    assert counts(db) != before


def test_several_problems_are_reported_together(tmp_path):
    text = GOOD_YAML.replace("version: v1", "version:").replace("text: Key work happens", "text:")
    with pytest.raises(ValidationError) as caught:
        parse_framework_file(write(tmp_path, "two.yaml", text))
    assert caught.value.fields == ["line 2", "line 9"]


def test_unreadable_files_are_refused(tmp_path):
    for path in (tmp_path / "missing.yaml", tmp_path / "folder.csv"):
        if path.suffix == ".csv":
            path.mkdir()
        with pytest.raises(ValidationError) as caught:
            parse_framework_file(path)
        assert caught.value.fields == ["file"]
        assert "cannot be read" in str(caught.value)


def test_yaml_numbers_stay_text_as_written(tmp_path):
    text = GOOD_YAML.replace('"1.1"', "1.10").replace('"1"', "1").replace("v1", "2026.0")
    spec = parse_framework_file(write(tmp_path, "numbers.yml", text))
    assert spec.framework_version == "2026.0"
    assert (spec.standards[0].code, spec.standards[0].criteria[0].code) == ("1", "1.10")


def test_a_byte_order_mark_and_crlf_are_accepted(tmp_path):
    content = "\ufeff" + (HEADER + ROW.format(code="1.1", text="a")).replace("\n", "\r\n")
    spec = parse_framework_file(write(tmp_path, "excel.csv", content))
    assert spec.name == "Site criteria" and spec.standards[0].criteria[0].text == "a"


# Property: odd input is refused cleanly or stored exactly --------------------------------------

ODD = "é\u0301ß\u00a0\u200d\u202e\u2028Ω中文\U0001d518🙂\t\n\r\x00\x07\ufeff\"',:#-[]{}&*!|>%@`"
odd_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from(ODD) | st.characters(), max_size=40),
    st.builds(lambda ch, n: ch * n, st.sampled_from("a 🙂é\n"), st.integers(100, 5000)),
)
# Storable but unusual: any printable character, YAML and CSV syntax, combining marks, emoji.
printable = st.characters(exclude_categories=("Cc", "Cs")) | st.sampled_from(
    [ch for ch in ODD if unicodedata.category(ch) != "Cc"]
)
tame_line = st.text(alphabet=printable, min_size=1, max_size=20).filter(str.strip)
tame_text = st.one_of(
    tame_line,
    st.text(alphabet=printable | st.just("\n"), min_size=1, max_size=200).filter(str.strip),
    st.builds(lambda ch, n: ch * n, st.sampled_from("a🙂é"), st.integers(100, 4000)),
)


def cleaned(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


def as_csv(name, version, code, statement, criteria) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for criterion_code, text, guidance in criteria:
        writer.writerow(
            [name, version, code, "Belonging", statement, criterion_code, text, guidance]
        )
    return out.getvalue()


def as_yaml(name, version, code, statement, criteria) -> str:
    document = {
        "name": name,
        "version": version,
        "standards": [
            {
                "code": code,
                "name": "Belonging",
                "statement": statement,
                "criteria": [{"code": c, "text": t, "guidance": g} for c, t, g in criteria],
            }
        ],
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def import_or_refuse(db: Database, path: Path) -> uuid.UUID | None:
    """The property: a ValidationError with nothing written, or a new framework."""
    before = counts(db)
    try:
        row = FrameworkService(db, Actor.system()).import_file(path)
    except ValidationError as exc:
        assert exc.problems and all(p.field.startswith(("line ", "file")) for p in exc.problems)
        assert counts(db) == before
        event("refused")
        return None
    event("stored")
    return row.id


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(fmt=st.sampled_from(["yaml", "csv"]), tame=st.booleans(), data=st.data())
def test_odd_text_is_refused_cleanly_or_stored_exactly(db, tmp_path, fmt, tame, data):
    """Half the examples are storable, so the stored path is exercised as well as refusal."""
    line, text = (tame_line, tame_text) if tame else (odd_text, odd_text)
    name, version, code = data.draw(line), data.draw(line), data.draw(line)
    statement = data.draw(text)
    criteria = data.draw(
        st.lists(
            st.tuples(line, text, text | st.just("")),
            min_size=1,
            max_size=3,
            unique_by=lambda item: cleaned(item[0]).casefold(),
        )
    )
    content = (as_yaml if fmt == "yaml" else as_csv)(name, version, code, statement, criteria)
    framework_id = import_or_refuse(db, write(tmp_path, f"odd.{fmt}", content))
    if framework_id is None:
        return
    tree = FrameworkService(db, Actor.system()).tree(framework_id)
    assert (tree.name, tree.framework_version) == (cleaned(name), cleaned(version))
    [standard] = tree.standards
    assert (standard.code, standard.statement) == (cleaned(code), cleaned(statement))
    stored = [(c.code, c.text, c.guidance) for c in standard.criteria]
    assert stored == [tuple(cleaned(part) for part in item) for item in criteria]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    fmt=st.sampled_from(["yaml", "yml", "csv"]),
    content=st.one_of(st.binary(max_size=300), st.text(alphabet=st.sampled_from(ODD + "ab1 "))),
)
def test_random_bytes_never_crash_the_importer(db, tmp_path, fmt, content):
    import_or_refuse(db, write(tmp_path, f"random.{fmt}", content))
