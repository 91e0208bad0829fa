"""Each output format, read back the way its consumer reads it.

- `github`: workflow command lines, parsed with the grammar GitHub documents
  (`::error file=F,line=L,col=C,title=T::MESSAGE`, data escaped `%`->%25, CR->%0D, LF->%0A; property values
  additionally `:`->%3A and `,`->%2C, as @actions/core does);
- `sarif`: validated against the official SARIF 2.1.0 schema (tests/data, no network), URIs checked against
  RFC 3986 and resolved back to the files;
- `json`: validated against tests/data/vaultkit-report.schema.json, the format's documentation;
- `junit`: parsed with xml.etree; counts agree with the JSON report of the same run.
And `--output-file`, `--exit-zero`, `--statistics`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tracemalloc
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import url2pathname

import jsonschema
import pytest
from conftest import Result, VaultFactory, run_cli
from jsonschema.validators import validator_for

from vaultkit.diagnostics import Diagnostic, Severity
from vaultkit.note import REPORT_MARKER
from vaultkit.report import REPORTER_MODULES, RunSummary, github, junit, reporter, sarif
from vaultkit.rules import RULES

DATA = Path(__file__).resolve().parent / "data"

SALE = "50% off, really: yes #1.md"  # %, comma, colon, space, hash: every escaping rule at once
CAFE = "Café ü.md"
NOTES = {
    "Labs/Acme Lab.md": "---\ntype: entity\nkind: lab\n---\n# Acme Lab\n\nA lab.\n",
    SALE: '---\ntype: entity\nkind: "a%b, c: d"\n---\n# Sale\n\nThe Acme Lab sale.\n',
    CAFE: "---\ntype: entity\nkind: lab\n---\n# Café\n\nSee [[Nope]] and [[Acme Lab]].\n",
    "Good.md": "---\ntype: entity\nkind: lab\n---\n# Good\n\nNothing here.\n",
}
CLEAN = {"Good.md": NOTES["Good.md"]}


@pytest.fixture
def vault(make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A vault with errors and warnings, fixable or not, in notes with awkward names; the cwd is its root."""
    root = make_vault(NOTES)
    monkeypatch.chdir(root)
    return root


def check(*args: str | Path) -> Result:
    return run_cli("check", "--no-cache", *args)


def json_report(*args: str | Path) -> dict[str, Any]:
    result = check("--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


# --- json ---------------------------------------------------------------------------------------------


def _report_validator() -> jsonschema.protocols.Validator:
    schema = json.loads((DATA / "vaultkit-report.schema.json").read_text(encoding="utf-8"))
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_json_report_follows_its_schema(vault: Path) -> None:
    result = check("--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    _report_validator().validate(data)

    diags = data["diagnostics"]
    summary = data["summary"]
    assert summary["problems"] == len(diags) == 4
    assert summary["errors"] == sum(d["severity"] == "error" for d in diags) == 2
    assert summary["warnings"] == sum(d["severity"] == "warning" for d in diags) == 2
    assert summary["fixable"] == sum(d["fixable"] for d in diags) == 2
    assert summary["by_code"] == {"VK010": 1, "VK101": 1, "VK120": 1, "VK121": 1}
    assert summary["notes_checked"] == summary["notes_in_vaults"] == 4
    assert {d["path"] for d in diags} == {SALE, CAFE, "Labs/Acme Lab.md"}
    for d in diags:
        assert d["rule"] == RULES[d["code"]].name
    sale = next(d for d in diags if d["code"] == "VK010")
    assert (sale["path"], sale["line"], sale["column"]) == (SALE, 3, 7)
    assert sale["message"].startswith('kind: "a%b, c: d" is not one of')
    mention = next(d for d in diags if d["code"] == "VK120")
    assert mention["fixable"] is True
    assert mention["fix"]["safe"] is True and mention["fix"]["description"]


def test_json_report_of_a_clean_run_and_of_given_files(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_vault(CLEAN)
    monkeypatch.chdir(root)
    result = check("--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    _report_validator().validate(data)
    assert data["diagnostics"] == []
    assert data["summary"]["problems"] == 0


def test_json_report_of_given_files_counts_the_vault(vault: Path) -> None:
    data = json_report(CAFE)
    _report_validator().validate(data)
    assert {d["path"] for d in data["diagnostics"]} == {CAFE}
    assert data["summary"]["notes_checked"] == 1
    assert data["summary"]["notes_in_vaults"] == 4


def test_json_report_counts_no_report_note_among_the_vaults_notes(vault: Path) -> None:
    """Regression: `notes_in_vaults` counted a report note an earlier run wrote (it starts with the marker),
    which is never checked: a whole-vault run said 4 notes checked of 5 in the vault. It counts what the
    text summary counts, fresh, from the cache, and for given files (from the cached summaries too)."""
    (vault / "Report.md").write_text(f"\ufeff{REPORT_MARKER}\n# Report\n", encoding="utf-8")
    for _ in range(2):  # parsed, then from the cache (the whole-vault report, then the summaries)
        whole = json.loads(run_cli("check", "--format", "json").stdout)["summary"]
        assert whole["notes_checked"] == whole["notes_in_vaults"] == 4, whole
        assert "4 notes" in run_cli("check").stdout
        given = json.loads(run_cli("check", "--format", "json", CAFE).stdout)["summary"]
        assert (given["notes_checked"], given["notes_in_vaults"]) == (1, 4), given
    (vault / "Good.md").write_text("# Good, changed\n", encoding="utf-8")  # no cached report: summaries
    given = json.loads(run_cli("check", "--format", "json", CAFE).stdout)["summary"]
    assert given["notes_in_vaults"] == 4, given


def test_json_report_is_the_same_from_the_cache(vault: Path) -> None:
    fresh = run_cli("check", "--format", "json")
    cached = run_cli("check", "--format", "json")  # the whole-vault report cache answers this one
    assert (vault / ".vaultkit_cache").is_dir()
    assert fresh.exit_code == cached.exit_code == 1
    assert cached.stdout == fresh.stdout
    given = run_cli("check", "--format", "json", CAFE)
    assert json.loads(given.stdout)["diagnostics"] == [
        d for d in json.loads(fresh.stdout)["diagnostics"] if d["path"] == CAFE
    ]


# --- github -------------------------------------------------------------------------------------------

# One workflow command per line: `::command key=value,key=value::message`. After escaping, a property value
# holds no `,` `:` CR or LF, and the message no CR or LF.
WORKFLOW_COMMAND = re.compile(
    r"::(?P<command>error|warning|notice)(?: (?P<props>[^:\r\n]*))?::(?P<message>[^\r\n]*)"
)
PROPERTY = re.compile(r"(?P<key>[A-Za-z]+)=(?P<value>[^,]*)")


def _unescape(value: str) -> str:
    return (
        value.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


def parse_workflow_commands(output: str) -> list[dict[str, str]]:
    commands = []
    for line in output.splitlines():
        m = WORKFLOW_COMMAND.fullmatch(line)
        assert m, f"not a workflow command: {line!r}"
        props: dict[str, str] = {"command": m["command"], "message": _unescape(m["message"])}
        for item in (m["props"] or "").split(","):
            p = PROPERTY.fullmatch(item)
            assert p, f"bad property {item!r} in {line!r}"
            props[p["key"]] = _unescape(p["value"])
        commands.append(props)
    return commands


def test_github_annotations_match_the_json_report(vault: Path) -> None:
    result = check("--format", "github")
    assert result.exit_code == 1
    assert result.stdout.endswith("\n")
    commands = parse_workflow_commands(result.stdout)
    expected = json_report()["diagnostics"]
    assert len(commands) == len(expected)
    for cmd, d in zip(commands, expected, strict=True):
        assert cmd["command"] == d["severity"]
        assert cmd["file"] == d["path"]
        assert (int(cmd["line"]), int(cmd["col"])) == (d["line"], d["column"])
        assert cmd["title"] == f"{d['code']} {d['rule']}"
        assert cmd["message"] == f"{d['code']} {d['message']}"
    assert "file=50%25 off%2C really%3A yes #1.md," in result.stdout  # property escaping, on the wire
    assert '::VK010 kind: "a%25b, c: d" is not one of' in result.stdout  # data: only % escaped


def test_github_escaping_of_every_special_character() -> None:
    d = Diagnostic("a,b:c%d\ne\rf.md", 2, 3, "VK101", "50% done,\r\nnext: line", Severity.WARNING)
    out = github.render([d], RunSummary(1, 1))
    assert out == (
        "::warning file=a%2Cb%3Ac%25d%0Ae%0Df.md,line=2,col=3,title=VK101 broken-link"
        "::VK101 50%25 done,%0D%0Anext: line\n"
    )
    (cmd,) = parse_workflow_commands(out)
    assert cmd["file"] == d.path
    assert cmd["message"] == f"VK101 {d.message}"


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_control_characters_in_a_value_never_reach_the_terminal_raw(fmt: str) -> None:
    """A property value quoted in a message (`type: "\\e[31mX\\rFAKE"`) must not colour the terminal,
    return the cursor over the path, or end the line: its control characters are spelled out."""
    d = Diagnostic("n\x1b.md", 2, 7, "VK011", "type: no schema '\x1b[31mX\rFAKE\x00'", Severity.ERROR)
    out = "".join(reporter(fmt)([d], RunSummary(1, 1)))
    first = out.splitlines()[0]
    assert not re.search(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]", first), first
    assert "\\x1b[31mX" in first and "\\x00" in first and "n\\x1b.md" in first


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_bidi_overrides_in_a_value_are_spelled_out(fmt: str) -> None:
    """Regression: a right-to-left override in a file name or a quoted value (never closed) showed the rest
    of the diagnostic's line reversed, line and column included. The marks RTL text uses stay."""
    message = "broken link: 'x\u2067y' matches \u200fשלום\u200f"
    d = Diagnostic("a\u202edm.md", 1, 1, "VK101", message, Severity.ERROR)
    first = "".join(reporter(fmt)([d], RunSummary(1, 1))).splitlines()[0]
    assert "\u202e" not in first and "\u2067" not in first, first
    assert "a\\u202edm.md" in first and "x\\u2067y" in first and "\u200fשלום\u200f" in first


def test_github_clean_run_prints_nothing(make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(make_vault(CLEAN))
    result = check("--format", "github")
    assert result.exit_code == 0
    assert result.stdout == ""


# --- sarif --------------------------------------------------------------------------------------------

# RFC 3986, appendix A: URI and relative-ref. jsonschema checks the formats "uri" and "uri-reference" only
# with optional packages; these make the check real.
_UNRESERVED = r"[A-Za-z0-9\-._~]"
_PCT = r"%[0-9A-Fa-f]{2}"
_SUB_DELIMS = r"[!$&'()*+,;=]"
_PCHAR = rf"(?:{_UNRESERVED}|{_PCT}|{_SUB_DELIMS}|[:@])"
_SEGMENT = rf"{_PCHAR}*"
_SEGMENT_NZ = rf"{_PCHAR}+"
_SEGMENT_NZ_NC = rf"(?:{_UNRESERVED}|{_PCT}|{_SUB_DELIMS}|@)+"
_QUERY = rf"(?:{_PCHAR}|[/?])*"
_HOST = rf"(?:\[[0-9A-Fa-f:.]+\]|(?:{_UNRESERVED}|{_PCT}|{_SUB_DELIMS})*)"
_AUTHORITY = rf"(?:(?:{_UNRESERVED}|{_PCT}|{_SUB_DELIMS}|:)*@)?{_HOST}(?::[0-9]*)?"
_ABEMPTY = rf"(?:/{_SEGMENT})*"
_ABSOLUTE = rf"/(?:{_SEGMENT_NZ}(?:/{_SEGMENT})*)?"
_TAIL = rf"(?:\?{_QUERY})?(?:#{_QUERY})?"
URI = re.compile(
    rf"[A-Za-z][A-Za-z0-9+\-.]*:(?://{_AUTHORITY}{_ABEMPTY}|{_ABSOLUTE}|{_SEGMENT_NZ}(?:/{_SEGMENT})*|){_TAIL}"
)
RELATIVE_REF = re.compile(
    rf"(?://{_AUTHORITY}{_ABEMPTY}|{_ABSOLUTE}|{_SEGMENT_NZ_NC}(?:/{_SEGMENT})*|){_TAIL}"
)


def _sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    cls = validator_for(schema)  # the $schema it declares (draft-04)
    assert cls is jsonschema.Draft4Validator
    cls.check_schema(schema)
    checker = jsonschema.FormatChecker()
    checker.checks("uri")(lambda value: not isinstance(value, str) or bool(URI.fullmatch(value)))
    checker.checks("uri-reference")(
        lambda value: (
            not isinstance(value, str) or bool(URI.fullmatch(value) or RELATIVE_REF.fullmatch(value))
        )
    )
    return cls(schema, format_checker=checker)


def _sarif_files(doc: dict[str, Any]) -> list[Path]:
    """Resolve every result's location the way a SARIF consumer does: uri against its uriBaseId."""
    run = doc["runs"][0]
    bases = run.get("originalUriBaseIds", {})
    out = []
    for result in run["results"]:
        loc = result["locations"][0]["physicalLocation"]["artifactLocation"]
        uri = loc["uri"]
        assert URI.fullmatch(uri) or RELATIVE_REF.fullmatch(uri), uri
        if "uriBaseId" in loc:
            assert not urlsplit(uri).scheme, "a uri with a base id is relative"
            base = bases[loc["uriBaseId"]]["uri"]
            assert base.endswith("/")
            uri = urljoin(base, uri)
        parts = urlsplit(uri)
        assert parts.scheme == "file"
        out.append(Path(url2pathname(parts.path)))
    return out


def test_sarif_is_valid_sarif_2_1_0(vault: Path) -> None:
    result = check("--format", "sarif")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    _sarif_validator().validate(doc)

    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    expected = json_report()["diagnostics"]
    assert len(run["results"]) == len(expected)
    for res, d in zip(run["results"], expected, strict=True):
        assert res["ruleId"] == d["code"]
        assert rules[res["ruleIndex"]]["id"] == d["code"]
        assert res["level"] == d["severity"]
        assert res["message"]["text"] == d["message"]
        loc = res["locations"][0]["physicalLocation"]
        assert unquote(loc["artifactLocation"]["uri"]) == d["path"]
        assert loc["region"] == {"startLine": d["line"], "startColumn": d["column"]}
    assert run["columnKind"] == "unicodeCodePoints"
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert "50%25%20off%2C%20really%3A%20yes%20%231.md" in uris
    assert "Caf%C3%A9%20%C3%BC.md" in uris
    assert [p.resolve() for p in _sarif_files(doc)] == [(vault / d["path"]).resolve() for d in expected]


def test_sarif_outside_the_current_folder_uses_absolute_file_uris(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = check("--format", "sarif", vault)
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    _sarif_validator().validate(doc)
    files = _sarif_files(doc)
    assert len(files) == 4
    for path in files:
        assert path.is_file(), path
    for res in doc["runs"][0]["results"]:
        loc = res["locations"][0]["physicalLocation"]["artifactLocation"]
        assert "uriBaseId" not in loc and loc["uri"].startswith("file:///")


def test_sarif_of_a_clean_run_is_valid(make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(make_vault(CLEAN))
    result = check("--format", "sarif")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    _sarif_validator().validate(doc)
    assert doc["runs"][0]["results"] == []


def test_sarif_uri_of_undecodable_file_name_keeps_its_bytes() -> None:
    name = b"bad\xff name.md".decode("utf-8", "surrogateescape")
    location = sarif.artifact_location(name)
    assert location["uri"] == "bad%FF%20name.md"


# --- junit --------------------------------------------------------------------------------------------


def test_junit_parses_and_counts_match_the_json_report(vault: Path) -> None:
    result = check("--format", "junit")
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout.encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    failing = [c for c in cases if c.find("failure") is not None]
    expected = json_report()
    diags = expected["diagnostics"]

    assert int(suite.get("tests", "-1")) == len(cases) == int(root.get("tests", "-2"))
    assert int(suite.get("failures", "-1")) == len(failing) == int(root.get("failures", "-2"))
    assert int(suite.get("errors", "-1")) == 0
    assert {c.get("name") for c in failing} == {d["path"] for d in diags}
    lines = []
    for case in failing:
        failures = case.findall("failure")
        assert len(failures) == 1  # one failure per test case, as the JUnit schema has it
        text = failures[0].text or ""
        assert failures[0].get("message", "").startswith(f"{len(text.splitlines())} problem")
        lines.extend(text.splitlines())
    assert sorted(lines) == sorted(
        f"{d['path']}:{d['line']}:{d['column']}: {d['code']} {d['message']}" for d in diags
    )
    # the notes without problems are counted too
    passing = [c for c in cases if c.find("failure") is None]
    assert passing and all(c.get("classname") == "vaultkit" for c in cases)


def test_junit_lists_each_note_when_given_and_survives_control_characters() -> None:
    d = Diagnostic("Bad.md", 1, 1, "VK010", "title: 'a\x01b\x1b[31m' is not a date")
    summary = RunSummary(3, 3, checked=("Bad.md", "Good.md", "Other.md"))
    root = ET.fromstring(junit.render([d], summary).encode("utf-8"))
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["Bad.md", "Good.md", "Other.md"]
    assert suite.get("tests") == "3" and suite.get("failures") == "1"
    failure = cases[0].find("failure")
    assert failure is not None and "\ufffd" in (failure.text or "")


def test_junit_of_a_clean_run(make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(make_vault(CLEAN))
    result = check("--format", "junit")
    assert result.exit_code == 0
    root = ET.fromstring(result.stdout.encode("utf-8"))
    assert root.get("failures") == "0"
    assert int(root.get("tests", "0")) >= 1


# --- options ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(REPORTER_MODULES))
def test_output_file_holds_exactly_what_stdout_would(vault: Path, tmp_path: Path, fmt: str) -> None:
    shown = check("--format", fmt)
    target = tmp_path / f"report.{fmt}"
    written = check("--format", fmt, "--output-file", target)
    assert written.exit_code == shown.exit_code == 1
    assert written.stdout == ""
    content = target.read_text(encoding="utf-8")
    assert content == shown.stdout
    assert "\x1b[" not in content


def test_output_file_short_option_and_bad_folder(vault: Path, tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    assert check("--format", "json", "-o", target).exit_code == 1
    _report_validator().validate(json.loads(target.read_text(encoding="utf-8")))
    missing = check("--format", "json", "-o", tmp_path / "no" / "such" / "folder" / "r.json")
    assert missing.exit_code == 2
    assert "--output-file" in missing.stderr


def test_output_file_named_longer_than_a_file_name_can_be_is_a_clear_error(vault: Path) -> None:
    """Regression: `-o NAME.md` with a name over 255 bytes ended with an internal error (Path.is_file, asked
    whether it is a note of the vault, raised OSError: File name too long); a `.txt` name was said as a
    write that failed. Both are now."""
    for suffix in (".md", ".txt"):
        result = check("-o", vault / ("a" * 300 + suffix))
        assert result.exit_code == 2, result.output
        assert "cannot write --output-file" in result.stderr and "File name too long" in result.stderr


def test_output_file_never_overwrites_obsidians_settings(vault: Path) -> None:
    """Regression: `-o .obsidian/app.json` (a slip of the shell's completion) replaced Obsidian's settings
    with the report, also when the report was answered from the cache's stored output. Refused (exit 2),
    the settings as they were; so is a new file there, the folder Obsidian keeps."""
    settings = vault / ".obsidian" / "app.json"
    settings.write_text('{"attachmentFolderPath": "files"}')
    before = settings.read_bytes()
    assert run_cli("check", ".").exit_code == 1  # stores its output, which the next run may answer with
    for args in (("-o", settings), ("--no-cache", "-o", settings), ("-o", vault / ".obsidian" / "new.txt")):
        refused = run_cli("check", *args, ".")
        assert refused.exit_code == 2, refused.output
        assert "where Obsidian keeps its settings" in refused.stderr, refused.stderr
    assert settings.read_bytes() == before
    assert not (vault / ".obsidian" / "new.txt").exists()


def test_output_file_never_overwrites_a_note_of_the_vault(vault: Path, tmp_path: Path) -> None:
    """`-o Note.md` replaced a note of the vault with the report. It is refused (exit 2, the note as it
    was); a new file, a file outside the vault, and a report note vaultkit wrote are written."""
    note = next(p for p in sorted(vault.rglob("*.md")))
    before = note.read_bytes()
    refused = check("--format", "json", "-o", note)
    assert refused.exit_code == 2
    assert "overwrites no note" in refused.stderr
    assert note.read_bytes() == before
    outside = tmp_path / "outside.md"
    for _ in range(2):  # written, then written again: not a note of the vault checked
        assert check("-o", outside).exit_code == 1
    assert check("--report", "R.md").exit_code == 1
    assert check("--format", "json", "-o", vault / "R.md").exit_code == 1
    assert json.loads((vault / "R.md").read_text(encoding="utf-8"))["diagnostics"]


@pytest.mark.parametrize("keep", ["--report", "config"])
def test_output_file_that_is_the_report_note_the_run_keeps_is_refused(vault: Path, keep: str) -> None:
    """Regression: `check --report R.md -o R.md` (or `report = "R.md"` in vaultkit.toml with `-o R.md`) wrote
    the report note, then the output over it: R.md lost its marker and became a note of the user's, so every
    later run that keeps the report (watch, check with the config's `report`) stopped with exit 2 ("a note
    of that name exists that vaultkit did not write"). It is refused before anything is written."""
    if keep == "config":
        (vault / "vaultkit.toml").write_text('report = "R.md"\n', encoding="utf-8")
    asked = ("--report", "R.md") if keep == "--report" else ()
    for output in (vault / "R.md", vault / "sub" / ".." / "R.md"):
        refused = check(*asked, "-o", output)
        assert refused.exit_code == 2, refused.output
        assert "--output-file" in refused.stderr and "report note" in refused.stderr, refused.stderr
        assert not (vault / "R.md").exists()
    kept = check(*asked)
    assert kept.exit_code == 1, kept.output
    assert (vault / "R.md").read_text(encoding="utf-8").startswith(REPORT_MARKER)
    assert check(*asked, "-o", vault / "R.md").exit_code == 2
    assert (vault / "R.md").read_text(encoding="utf-8").startswith(REPORT_MARKER)
    assert check(*asked).exit_code == 1


@pytest.mark.parametrize("kind", ["symlink", "hardlink"])
def test_output_file_that_is_a_note_under_another_name_is_refused(
    vault: Path, tmp_path: Path, kind: str
) -> None:
    """Regression: only a name ending in `.md` was checked, so `-o report.txt`, a symlink or a hard link
    outside the vault to one of its notes, replaced that note with the report (also from the cached output
    of a repeated run)."""
    note = next(p for p in sorted(vault.rglob("*.md")))
    before = note.read_bytes()
    alias = tmp_path / "report.txt"
    if kind == "symlink":
        alias.symlink_to(note)
    else:
        os.link(note, alias)
    check()  # a whole-vault run whose output a repeated run takes from the cache
    for _ in range(2):
        refused = check("-o", alias)
        assert refused.exit_code == 2, refused.output
        assert "overwrites no note" in refused.stderr
        assert note.read_bytes() == before


def test_exit_zero_keeps_the_report_but_not_config_errors(vault: Path) -> None:
    plain = check()
    zero = check("--exit-zero")
    assert plain.exit_code == 1 and zero.exit_code == 0
    assert zero.stdout == plain.stdout
    (vault / "vaultkit.toml").write_text("schema_dir = 3\n", encoding="utf-8")
    broken = check("--exit-zero")
    assert broken.exit_code == 2, broken.output


def test_statistics_counts_per_rule(vault: Path) -> None:
    counts = json_report()["summary"]["by_code"]
    result = check("--statistics")
    assert result.exit_code == 1
    rows = re.findall(r"^\s*(\d+)\s+(VK\d{3})\s+([a-z-]+)(?: \[\*\])?$", result.stdout, re.MULTILINE)
    assert {code: int(n) for n, code, _name in rows} == counts
    assert all(RULES[code].name == name for _n, code, name in rows)
    assert "  VK120  unlinked-mention [*]" in result.stdout  # fixable rules are marked
    assert result.stdout.rstrip().splitlines()[-1].startswith("vaultkit: 4 problems")


@pytest.mark.parametrize("fmt", ["json", "sarif", "github", "junit"])
def test_statistics_go_to_stderr_for_machine_formats(vault: Path, fmt: str) -> None:
    plain = check("--format", fmt)
    result = check("--format", fmt, "--statistics")
    assert result.stdout == plain.stdout
    assert re.search(r"^\s*1\s+VK010\s+schema-violation$", result.stderr, re.MULTILINE), result.stderr
    if fmt in ("json", "sarif"):
        json.loads(result.stdout)


def test_text_summary_grammar(make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(make_vault({"Only.md": "---\ntype: entity\nkind: x\n---\n"}))
    result = check()
    assert result.stdout.splitlines()[-1] == "vaultkit: 1 problem (1 error, 0 warnings) in 1 of 1 note."


def test_text_summary_counts_only_notes_as_notes(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Regression: a symlinked folder given (VK205 on the folder itself) printed "in 1 of 0 notes"; the folder
    counted as a note with problems. And a run on it answered from the cache of a whole-vault run left the
    VK205 out ("0 notes checked, no problems found")."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "X.md").write_text("x\n")
    root = make_vault({"Only.md": "---\ntype: entity\nkind: x\n---\n", "Fine.md": "fine\n"})
    (root / "Ext").symlink_to(outside, target_is_directory=True)
    monkeypatch.chdir(root)
    whole = run_cli("check")
    assert whole.stdout.splitlines()[-1] == (
        "vaultkit: 2 problems (1 error, 1 warning) in 1 of 2 notes and 1 path that is not a note."
    )
    for _ in range(2):  # from the whole-vault run's cache, then as that run stored it
        given = run_cli("check", "--vault", ".", "Ext")
        assert given.exit_code == 1, given.output
        assert given.stdout == (
            "Ext:1:1: VK205 symlinked folder not entered: its notes are not checked\n"
            "vaultkit: 1 problem (0 errors, 1 warning) in 1 path that is not a note (0 notes checked).\n"
        )


@pytest.mark.parametrize("count", [0, 1, 2, 4, 9])
def test_json_report_is_the_text_of_json_dumps_of_the_whole_document(
    count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The JSON reporter spells each diagnostic out itself (a quarter of json.dumps' time), in pieces; the
    text is exactly json.dumps of the whole document, with strings that need escaping, unknown codes, both
    fixes, and pieces of two diagnostics (the last one short, or full)."""
    from vaultkit import __version__
    from vaultkit.diagnostics import Edit, Fix
    from vaultkit.report import json_report

    monkeypatch.setattr(json_report, "CHUNK", 2)

    safe = Fix.of(Edit(1, 2, "[[Café]]"), 'link "Café"\tto\u2028Café\x01')
    unsafe = Fix("review it", safe=False)
    kinds = [
        Diagnostic("n.md", 1, 1, "VK101", "a broken link", Severity.ERROR),
        Diagnostic('dir/"q"\\back.md', 3, 2, "VK120", "'Café' «x» \ud800", Severity.WARNING, safe),
        Diagnostic("n\u00e9.md", 10, 4, "VK121", "relation", Severity.ERROR, unsafe),
        Diagnostic("x.md", 2, 9, "VK999", "unknown code\n", Severity.WARNING),
    ]
    diags = [kinds[i % len(kinds)]._replace(line=i + 1) for i in range(count)]
    text = json_report.render(diags, RunSummary(count, count))
    items = [{**d.to_json(), "rule": RULES[d.code].name if d.code in RULES else ""} for d in diags]
    summary = json.loads(text)["summary"]
    whole = {"version": 1, "tool": {"name": "vaultkit", "version": __version__}, "summary": summary}
    assert text == json.dumps({**whole, "diagnostics": items}, ensure_ascii=False) + "\n"
    assert summary["problems"] == count


@pytest.mark.parametrize("count", [0, 1, 2, 5])
def test_sarif_in_pieces_is_the_document_at_once(count: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif, "CHUNK", 2)
    diags = [Diagnostic(f"n{i}.md", i + 1, 1, "VK101", f"broken {i}") for i in range(count)]
    diags += [Diagnostic("x.md", 2, 9, "VK999", "unknown code\n", Severity.WARNING)]
    pieces = list(sarif.chunks(diags, RunSummary(count, count)))
    doc = json.loads("".join(pieces))
    results = doc["runs"][0]["results"]
    assert [r["message"]["text"] for r in results] == [d.message for d in diags]
    assert [r.get("ruleIndex") for r in results][-1] is None  # a code no rule has: no index, as before
    assert "".join(pieces) == json.dumps(doc, ensure_ascii=False) + "\n"
    assert len(pieces) == (len(diags) + 1) // 2 + 2


def test_a_sarif_report_of_many_problems_is_written_in_pieces() -> None:
    """Regression: the SARIF document was built whole, a dict of dicts for each result, then dumped at
    once: 200,000 problems (one note of 100,000 broken links and another of 100,000 broken Markdown links)
    took 830 MB, five times the text report. It is written a piece at a time, as --format json is."""
    count = 20_000
    diags = [Diagnostic(f"n{i % 7}.md", i + 1, 1, "VK101", f"broken link {i}") for i in range(count)]
    tracemalloc.start()
    try:
        pieces = reporter("sarif")(diags, RunSummary(count, count))  # as `check` writes them
        written = sum(len(piece) for piece in pieces)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < written / 2, f"{peak / 1e6:.0f} MB to write {written / 1e6:.0f} MB"


@pytest.mark.parametrize("count", [0, 1, 2, 5])
def test_text_report_in_pieces_is_one_line_a_diagnostic_then_the_summary(
    count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vaultkit.report import text

    monkeypatch.setattr(text, "CHUNK", 2)
    diags = [Diagnostic(f"n{i}.md", i + 1, 1, "VK101", f"broken {i}") for i in range(count)]
    pieces = list(text.chunks(diags, RunSummary(count, count, statistics=True)))
    lines = "".join(pieces).splitlines()
    assert lines[:count] == [f"n{i}.md:{i + 1}:1: VK101 broken {i}" for i in range(count)]
    assert len(lines) == count + (2 if count else 1)  # the statistics line (one code), the summary
    assert lines[-1].startswith("vaultkit: ")
    assert len(pieces) == (count + 1) // 2 + 1


# --- paths as shown, report order ---------------------------------------------------------------------


def test_shown_diagnostics_read_alike_however_they_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`Shown` makes each diagnostic with its shown path as it is read: by index, slice (across two vaults'
    parts) and iteration, it reads as the list of copies it replaced."""
    from vaultkit.commands.common import Shown

    monkeypatch.chdir(tmp_path)
    inside, outside = tmp_path, tmp_path.parent / "elsewhere"
    first = [Diagnostic(f"n{i // 2}.md", i + 1, 1, "VK101", f"broken {i}") for i in range(5)]
    second = [Diagnostic("m.md", 1, 2, "VK120", "mention", Severity.WARNING)] * 3
    shown = Shown()
    shown.add(inside, first)  # the current folder: paths as they are
    shown.add(outside, second)
    expected = first + [d._replace(path=f"{outside.as_posix()}/m.md") for d in second]
    assert list(shown) == expected
    assert list(shown.unshown()) == first + second  # for the counts, which read no path
    assert len(shown) == len(expected) and bool(shown) and not Shown()
    for start in range(-9, 10):
        assert shown[start:] == expected[start:] and shown[:start] == expected[:start]
        for stop in range(start, start + 4):
            assert shown[start:stop] == expected[start:stop]
    assert shown[::2] == expected[::2] and shown[::-1] == expected[::-1]
    assert [shown[i] for i in range(-len(expected), len(expected))] == expected * 2
    with pytest.raises(IndexError):
        shown[len(expected)]
    # the text and JSON reporters read each vault's diagnostics as found, and make each path as shown once
    from vaultkit.report import json_report, text

    not_notes = frozenset({f"{outside.as_posix()}/m.md"})
    for color in (False, True):
        summary = RunSummary(3, 3, color=color, statistics=True, not_notes=not_notes)
        for module in (text, json_report):
            assert "".join(module.chunks(shown, summary)) == "".join(module.chunks(expected, summary))


@pytest.mark.parametrize("fmt", ["text", "json", "junit"])
def test_two_vaults_reported_in_small_pieces_read_as_in_one(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """Two vaults checked from outside both, the report written a few diagnostics at a time: the same text
    as in one piece (a piece spans both vaults' diagnostics)."""
    from vaultkit.report import json_report, text

    first = make_vault(NOTES, name="a")
    make_vault(NOTES, name="b")
    monkeypatch.chdir(first.parent)
    whole = check("--format", fmt, "a", "b")
    monkeypatch.setattr(text, "CHUNK", 3)
    monkeypatch.setattr(json_report, "CHUNK", 3)
    pieces = check("--format", fmt, "a", "b")
    assert pieces.stdout == whole.stdout and pieces.exit_code == whole.exit_code == 1
    assert "a/Labs/Acme Lab.md" in whole.stdout and "b/Labs/Acme Lab.md" in whole.stdout


def _report_keys() -> list[tuple[str, int, int, str, str]]:
    found = json_report()["diagnostics"]
    return [(d["path"], d["line"], d["column"], d["code"], d["message"]) for d in found]


def test_report_order_holds_with_run_level_findings_and_another_notes_path(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each note's diagnostics are sorted as they are found; a run-level finding (types.json) is merged in,
    and a rule that names another note than the one checked has the whole report sorted."""
    import vaultkit.rules
    from vaultkit.rules.base import Rule

    root = make_vault({**NOTES, ".obsidian/types.json": '{"types": {"kind": "number"}}'})
    monkeypatch.chdir(root)
    keys = _report_keys()
    assert any(k[0] == ".obsidian/types.json" for k in keys), keys
    assert len(keys) > 3 and keys == sorted(keys)

    def elsewhere(facts: Any, ctx: Any) -> list[Diagnostic]:
        return [Diagnostic("Good.md", 9, 1, "VK999", f"seen from {facts.rel}", Severity.WARNING)]

    odd = Rule("VK999", "elsewhere", "", "vault", elsewhere, "", severity=Severity.WARNING)
    monkeypatch.setattr(vaultkit.rules, "VAULT_RULES", (*vaultkit.rules.VAULT_RULES, odd))
    keys = _report_keys()
    assert sum(k[3] == "VK999" for k in keys) == len(NOTES)
    assert keys == sorted(keys)


def test_a_note_recorded_just_after_a_save_is_read_for_the_stored_outputs_key(
    vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A note recorded within two seconds of its last change (the cache's racy window) has a signature no
    run trusts, so a check run again used to run in full (213 ms instead of 69 on the 1,000-note bench
    vault) until a run recorded it again. The few such notes still as recorded are read and hashed instead:
    the stored output is printed. A note touched since (new bytes, or only a chmod, which changes what check
    says of it) is checked; so are too many racy notes."""
    from vaultkit import quick
    from vaultkit.engine import Runner

    first = run_cli("check")  # the vault was written just now: every signature it records is racy
    assert first.exit_code == 1 and "'Nope'" in first.stdout, first.output
    with monkeypatch.context() as patched:
        patched.setattr(Runner, "run", lambda *_: pytest.fail("the same vault was checked again"))
        again = run_cli("check")
    assert (again.exit_code, again.stdout) == (first.exit_code, first.stdout)

    checked: list[int] = []
    real = Runner.run

    def counted(*args: Any) -> Any:
        checked.append(1)
        return real(*args)

    monkeypatch.setattr(Runner, "run", counted)
    good = vault / "Good.md"
    good.write_bytes(good.read_bytes())  # saved again, the same bytes: not as recorded
    assert run_cli("check").stdout == first.stdout and checked == [1]
    good.write_text(NOTES["Good.md"] + "\nNow see [[Gone]].\n", encoding="utf-8")
    changed = run_cli("check")
    assert "Good.md:9:" in changed.stdout and "'Gone'" in changed.stdout and checked == [1, 1]
    monkeypatch.setattr(quick, "REHASH", 0)
    assert run_cli("check").stdout == changed.stdout and checked == [1, 1, 1]


def test_a_note_read_afresh_for_the_stored_outputs_key_is_as_writable_as_the_output_shows_it(
    vault: Path,
) -> None:
    """A chmod, or a symlink put in a note's place, changes none of its bytes: the note read afresh for the
    stored output's key (its signature changed) made the key of an output that still offered its fix (`[*]`)
    once the note was read-only or a symlink, or still called it read-only once it could be written again.
    The stored output holds which notes it showed unwritable, and why; a note read afresh must agree."""
    sale = vault / SALE
    fixable = f"{SALE}:7:5: VK120 [*] 'Acme Lab'"
    assert fixable in run_cli("check").stdout
    assert fixable in run_cli("check").stdout  # stored
    sale.chmod(0o444)
    locked = run_cli("check").stdout
    assert f"{SALE}:7:5: VK120 'Acme Lab'" in locked and "(the note is read-only" in locked, locked
    assert "(the note is read-only" in run_cli("check").stdout  # stored, and read afresh again
    sale.chmod(0o644)
    assert fixable in run_cli("check").stdout
    text = sale.read_bytes()
    outside = vault.parent / "elsewhere.md"
    outside.write_bytes(text)
    sale.unlink()
    sale.symlink_to(outside)
    linked = run_cli("check").stdout
    assert "(the note is a symlink: vaultkit never writes through links)" in linked, linked


def test_a_repeated_check_prints_the_stored_output_never_one_of_a_note_saved_since(
    vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A whole-vault run stores its output under the vault as the run read it (not as a second look after
    the run finds it): a repeated run prints it without checking anything, and a note saved while a run
    printed its report is checked again by the next run, not answered with the output of its old text."""
    from vaultkit import cache
    from vaultkit.commands import check as check_command
    from vaultkit.engine import Runner

    monkeypatch.setattr(cache, "RACY_NS", 0)  # signatures recorded just now are trusted
    first = run_cli("check")
    assert first.exit_code == 1 and "'Nope'" in first.stdout, first.output
    with monkeypatch.context() as patched:
        patched.setattr(Runner, "run", lambda *_: pytest.fail("a repeated run checked the vault again"))
        again = run_cli("check")
    assert (again.exit_code, again.stdout) == (first.exit_code, first.stdout)

    printed = check_command.emit

    def then_saved(*args: Any) -> None:
        printed(*args)
        (vault / "Good.md").write_text(NOTES["Good.md"] + "\nNow see [[Gone]].\n", encoding="utf-8")

    select = ("--select", "VK101")  # another command line: its output is not stored yet
    with monkeypatch.context() as patched:
        patched.setattr(check_command, "emit", then_saved)
        during = run_cli("check", *select)
    assert "'Gone'" not in during.stdout  # it printed the note as it read it
    after = run_cli("check", *select)
    assert "Good.md:9:" in after.stdout and "'Gone'" in after.stdout, after.output
    assert run_cli("check", *select).stdout == after.stdout


def test_the_report_note_says_one_problem_and_one_note_in_the_singular(make_vault: VaultFactory) -> None:
    """The report note said "1 problems in 1 of 1 notes." and "No problems in 1 notes.", where the summary
    line of `check` says "1 problem (...) in 1 of 1 note"."""
    root = make_vault({"A.md": "See [[Gone]].\n"})
    run_cli("check", root, "--no-cache", "--report", "R.md")
    assert "\n1 problem in 1 of 1 note.\n" in (root / "R.md").read_text(encoding="utf-8")
    (root / "A.md").write_text("Fine.\n")
    run_cli("check", root, "--no-cache", "--report", "R.md")
    assert "\nNo problems in 1 note.\n" in (root / "R.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("term", "shown"), [("xterm", True), ("dumb", False)])
def test_the_progress_line_is_left_out_on_a_dumb_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], term: str, shown: bool
) -> None:
    """The progress line on stderr is redrawn with a carriage return and an erase-line escape, which a
    TERM=dumb terminal shows as text: there it is left out, as on a pipe."""
    from vaultkit.commands import common

    monkeypatch.setenv("TERM", term)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    progress = common.Progress()
    progress("parsing 1000 notes")
    progress.done()
    assert ("\033[2K" in capsys.readouterr().err) is shown


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal")
@pytest.mark.parametrize(
    ("no_color", "term", "coloured"),
    [(None, "xterm", True), ("1", "xterm", False), ("", "xterm", True), (None, "dumb", False)],
)
def test_text_on_a_terminal_is_coloured_unless_no_color_is_set(
    no_color: str | None, term: str, coloured: bool, tmp_path: Path
) -> None:
    """On a terminal the text report is coloured; NO_COLOR set to anything but "" turns it off, as
    no-color.org asks of every command-line tool (readme37: it was coloured all the same). So does
    TERM=dumb, a terminal that shows escape sequences as text (Emacs' shell and compilation buffers), as
    git and grep leave it plain (hostile38: it got the colour codes)."""
    import pty

    vault = tmp_path / "v"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "N.md").write_text("See [[Gone]].\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"TERM": term}
    if no_color is not None:
        env["NO_COLOR"] = no_color
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "vaultkit", "check", "--no-cache", str(vault)],
            stdout=follower,
            stderr=subprocess.DEVNULL,
            env=env,
            timeout=60,
            check=False,
        )
        os.close(follower)
        follower = -1
        out = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal is closed once everything was read (EIO on Linux)
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)
    assert done.returncode == 1
    assert b"VK101" in out, out
    assert (b"\x1b[" in out) is coloured, out
