"""How mistakes in stories and in storyteller.yaml are reported, end to end.

Each test builds a real workspace in tmp_path, runs `storyteller validate` through
Typer's CliRunner and asserts the exit status and the exact problem lines: the wording
`path:line:column: field.path: message` is part of the contract (story-format.md,
"Errors").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .helpers import (
    BASE,
    CONFIG,
    MIB,
    STORY,
    billion_laughs,
    invoke,
    padded,
    problems,
    story_problems,
    summary,
    vary,
    with_line,
    write_workspace,
)


def is_valid(root: Path) -> bool:
    result = invoke(root)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code == 0


def run_in_subprocess(root: Path, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    """`python -m storyteller validate` with a timeout, for inputs that could block a read."""
    result = subprocess.run(
        [sys.executable, "-m", "storyteller", "validate", "--workspace", str(root)],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result


def test_the_base_story_is_valid(tmp_path: Path) -> None:
    result = invoke(write_workspace(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.stdout == "1 story valid\n"


# ---------------------------------------------------------------------------------------
# One mistake in one story, one exact problem line (or two where one mistake has two sides)

TAB = "a tab character is used for indentation; YAML needs spaces, replace the tab with spaces"
MAPPING = "a story is a mapping of fields (`title: ...`, `summary: ...`), not a list or a single value"
EMPTY = "the file is empty; run `storyteller new` for a commented example"
STORY_FIELDS = (
    "`title`, `summary`, `quarter`, `date`, `team`, `owners`, `partners`, `category`, `status`, `impact`, "
    "`tags`, `effort_hours`, `problem`, `solution`, `outcome`, `metrics`, `quote`, `links`, `accept`, `images`"
)
UNIT_DESCRIPTION = (
    "A duration (`seconds`, `minutes`, `hours`, `days`, `weeks`, or `s`, `min`, `h`, `d`, `w`), `percent`, "
    "`count`, a currency code (`USD`, `EUR`, ...) or any other short word (`tickets`, `GB`, `servers`)."
)
CATEGORIES = "`automation`, `proactive-problem-management`, `collaboration`, `process`"


STORY_CASES: list[tuple[str, str | bytes, list[str]]] = [
    # YAML syntax, with line and column
    (
        "syntax-colon-in-plain-value",
        vary("team: Storage Operations", "team: Storage: Operations"),
        [
            f"{STORY}:4:14: YAML syntax error: mapping values are not allowed in this context; "
            "check the indentation and quoting on this line"
        ],
    ),
    ("tab-indenting-a-metric-field", vary("    unit: minutes", "\tunit: minutes"), [f"{STORY}:12:1: {TAB}"]),
    ("tab-indenting-a-value", vary("team: Storage Operations", "team:\n\tStorage Operations"), [f"{STORY}:5:1: {TAB}"]),
    (
        "second-document",
        BASE + "---\ntitle: Another\n",
        [f"{STORY}:15:1: a file holds one YAML document; remove the second `---` and what follows"],
    ),
    (
        "nesting-too-deep",
        BASE + "quote:\n" + "".join("  " * (level + 1) + f"k{level}:\n" for level in range(40)),
        [f"{STORY}:47:65: quote.{'.'.join(f'k{n}' for n in range(31))}: nesting is deeper than 32 levels"],
    ),
    # Encoding, empty files, files that are not a mapping
    (
        "latin-1-byte",
        vary("Storage Operations", "Storage Op\xe9rations").encode("latin-1"),
        [
            f"{STORY}:4:17: the file is not UTF-8 text: byte 0xE9 at offset 130 cannot be decoded; "
            "save the file as UTF-8"
        ],
    ),
    (
        "utf-16-file",
        "title: x\n".encode("utf-16"),
        [f"{STORY}:1:1: the file is not UTF-8 text: byte 0xFF at offset 0 cannot be decoded; save the file as UTF-8"],
    ),
    ("empty-file", "", [f"{STORY}:1:1: {EMPTY}"]),
    ("blank-lines-only", "\n\n  \n", [f"{STORY}:1:1: {EMPTY}"]),
    ("comments-only", "# to do\n# later\n", [f"{STORY}:1:1: {EMPTY}"]),
    ("a-list", "- title: x\n- team: y\n", [f"{STORY}:1:1: {MAPPING}"]),
    ("a-single-value", "Automated SAN switch zoning\n", [f"{STORY}:1:1: {MAPPING}"]),
    # Duplicate keys name both lines
    (
        "duplicate-key",
        with_line("team: Storage Operations", "team: Network Operations"),
        [f"{STORY}:5:1: team: `team` appears twice (lines 4 and 5); keep one of them"],
    ),
    # Unknown keys, with a suggestion when one is close
    (
        "misspelt-story-field",
        vary("summary:", "sumary:"),
        # One line: "summary is missing" would only repeat the suggestion.
        [f"{STORY}:2:1: sumary: `sumary` is not a story field; did you mean `summary`?"],
    ),
    (
        "misspelt-metric-field",
        vary("    unit: minutes", "    unti: minutes"),
        [f"{STORY}:12:5: metrics[0].unti: `unti` is not a metric field; did you mean `unit`?"],
    ),
    (
        "unknown-field-nothing-close",
        with_line("category: automation", "zzqx: 1"),
        [f"{STORY}:6:1: zzqx: `zzqx` is not a story field; use one of: {STORY_FIELDS}"],
    ),
    (
        "yaml-1.1-boolean-word-as-key",
        with_line("category: automation", "on: push"),
        [f"{STORY}:6:1: on: `on` is not a story field; use one of: {STORY_FIELDS}"],
    ),
    # Wrong types where a number belongs
    (
        "quoted-number",
        vary("before: 50", 'before: "50"'),
        [f"{STORY}:13:13: metrics[0].before: is a quoted number; remove the quotes: 50"],
    ),
    (
        "single-quoted-number",
        with_line("category: automation", "effort_hours: '120'"),
        [f"{STORY}:6:15: effort_hours: is a quoted number; remove the quotes: 120"],
    ),
    (
        "yes-as-number",
        vary("before: 50", "before: yes"),
        [f"{STORY}:13:13: metrics[0].before: `yes` is a yes/no value, not a number; write a number such as 20"],
    ),
    (
        "true-as-number",
        vary("after: 20", "after: true"),
        [f"{STORY}:14:12: metrics[0].after: `true` is a yes/no value, not a number; write a number such as 20"],
    ),
    (
        "Off-as-number",
        vary("after: 20", "after: Off"),
        [f"{STORY}:14:12: metrics[0].after: `Off` is a yes/no value, not a number; write a number such as 20"],
    ),
    (
        "nan",
        vary("before: 50", "before: .nan"),
        [f"{STORY}:13:13: metrics[0].before: `.nan` is not a finite number; write a number such as 20"],
    ),
    (
        "NaN",
        vary("before: 50", "before: .NaN"),
        [f"{STORY}:13:13: metrics[0].before: `.NaN` is not a finite number; write a number such as 20"],
    ),
    (
        "infinity",
        vary("before: 50", "before: .inf"),
        [f"{STORY}:13:13: metrics[0].before: `.inf` is not a finite number; write a number such as 20"],
    ),
    (
        "minus-infinity",
        vary("after: 20", "after: -.inf"),
        [f"{STORY}:14:12: metrics[0].after: `-.inf` is not a finite number; write a number such as 20"],
    ),
    (
        "overflowing-float",
        vary("before: 50", "before: 1e400"),
        [
            f"{STORY}:13:13: metrics[0].before: 1e400 is too large; the limit is 1,000,000,000,000 (10^12), use a larger unit"
        ],
    ),
    (
        "yaml-1.1-octal",
        vary("before: 50", "before: 010"),
        [f"{STORY}:13:13: metrics[0].before: `010` has a leading zero, which YAML 1.1 reads as octal; write 10"],
    ),
    (
        "yaml-1.1-sexagesimal",
        vary("before: 50", "before: 1:30"),
        [
            f"{STORY}:13:13: metrics[0].before: `1:30` is a clock time, not a number; "
            "write it in one unit (1:30 -> 90 minutes)"
        ],
    ),
    (
        "yaml-1.1-underscore-number",
        with_line("category: automation", "effort_hours: 1_000"),
        [f'{STORY}:6:15: effort_hours: expected a number, found the text "1_000"'],
    ),
    (
        "list-as-text",
        vary("title: Automated SAN switch zoning", "title: [Automated, SAN]"),
        [f"{STORY}:1:8: title: expected text, found a list"],
    ),
    (
        "null-required-text",
        vary("title: Automated SAN switch zoning", "title: ~"),
        [f"{STORY}:1:8: title: is required but empty; write it (The improvement, in a few words.)"],
    ),
    (
        "blank-quoted-text",
        vary("title: Automated SAN switch zoning", "title: '   '"),
        [f"{STORY}:1:8: title: is empty; write some text"],
    ),
    # Out-of-range values
    (
        "negative-duration",
        vary("before: 50", "before: -5"),
        [f"{STORY}:13:13: metrics[0].before: a duration cannot be negative, found -5"],
    ),
    (
        "percent-over-100",
        vary("unit: minutes", "unit: percent\n    better: higher").replace("before: 50", "before: 150"),
        [f"{STORY}:14:13: metrics[0].before: is a percentage, so it must be within 0..100, found 150"],
    ),
    (
        "zero-effort",
        with_line("category: automation", "effort_hours: 0"),
        [f"{STORY}:6:15: effort_hours: must be greater than 0, found 0"],
    ),
    (
        "too-many-owners",
        with_line("category: automation", "owners: [" + ", ".join(f"P{i}" for i in range(21)) + "]"),
        [f"{STORY}:6:9: owners: has 21 items; the limit is 20"],
    ),
    (
        "quarter-5",
        vary("quarter: 2026-Q3", "quarter: 2026-Q5"),
        [
            f'{STORY}:3:10: quarter: "2026-Q5" is not a quarter; write it as YYYY-Qn from 2000-Q1 to 2099-Q4, e.g. 2026-Q3'
        ],
    ),
    (
        "delivered-without-metrics",
        BASE.split("metrics:")[0] + "metrics: []\n",
        [
            f"{STORY}:10:10: metrics: a delivered story needs at least one metric (before and after); "
            "or set `status: in-progress`"
        ],
    ),
    # Impossible dates; a quarter and a date that disagree
    (
        "february-30",
        with_line("quarter: 2026-Q3", "date: 2026-02-30"),
        [f"{STORY}:4:7: date: 2026-02-30 is not a real date (day is out of range for month); check the day and month"],
    ),
    (
        "month-13",
        with_line("quarter: 2026-Q3", "date: 2026-13-01"),
        [f"{STORY}:4:7: date: 2026-13-01 is not a real date (month must be in 1..12); check the day and month"],
    ),
    (
        "february-29-not-a-leap-year",
        vary("quarter: 2026-Q3", "date: 2026-02-29"),
        [f"{STORY}:3:7: date: 2026-02-29 is not a real date (day is out of range for month); check the day and month"],
    ),
    (
        "date-not-iso",
        with_line("quarter: 2026-Q3", "date: 2026-7-4"),
        [f'{STORY}:4:7: date: "2026-7-4" is not a date; write it as YYYY-MM-DD, e.g. 2026-07-15'],
    ),
    (
        "quarter-and-date-disagree",
        with_line("quarter: 2026-Q3", "date: 2026-02-10"),
        [f"{STORY}:4:7: date: 2026-02-10 falls in 2026-Q1, but `quarter` says 2026-Q3; correct one of them"],
    ),
    # Unknown category, outcome and other choices, with a suggestion
    (
        "misspelt-category",
        vary("category: automation", "category: automaton"),
        [f"{STORY}:5:11: category: `automaton` is not a known category; did you mean `automation`?"],
    ),
    (
        "unknown-category",
        vary("category: automation", "category: banana"),
        [f"{STORY}:5:11: category: `banana` is not a known category; use one of: {CATEGORIES}"],
    ),
    (
        "yes-as-category",
        vary("category: automation", "category: yes"),
        [f"{STORY}:5:11: category: `yes` is not a known category; use one of: {CATEGORIES}"],
    ),
    (
        "misspelt-outcome",
        with_line("category: automation", "impact: [cost, reliabilty]"),
        [f"{STORY}:6:16: impact[1]: `reliabilty` is not a known outcome; did you mean `reliability`?"],
    ),
    (
        "unknown-status",
        with_line("category: automation", "status: done"),
        [f"{STORY}:6:9: status: `done` is not a known status; use one of: `delivered`, `in-progress`"],
    ),
    (
        "misspelt-direction",
        with_line("    after: 20", "    better: lowr"),
        [f"{STORY}:15:13: metrics[0].better: `lowr` is not a known direction; did you mean `lower`?"],
    ),
    # Control characters, line breaks and bidi controls in one-line fields
    (
        "escaped-bell-in-title",
        vary("title: Automated SAN switch zoning", 'title: "Automated \\a SAN"'),
        [f"{STORY}:1:8: title: contains the control character U+0007; remove it"],
    ),
    (
        "escaped-c1-control-in-title",
        vary("title: Automated SAN switch zoning", 'title: "Automated \\x9b SAN"'),
        [f"{STORY}:1:8: title: contains the control character U+009B; remove it"],
    ),
    (
        "escaped-tab-in-title",
        vary("title: Automated SAN switch zoning", 'title: "Automated\\tSAN"'),
        [f"{STORY}:1:8: title: contains the control character U+0009; remove it"],
    ),
    (
        "escaped-nul-in-markdown",
        vary("problem: |\n  Every zoning request meant typing by hand.", 'problem: "Every \\0 request"'),
        [f"{STORY}:6:10: problem: contains the control character U+0000; remove it"],
    ),
    (
        "raw-bell-in-title",
        vary("title: Automated SAN switch zoning", "title: Automated \x07 SAN"),
        [f"{STORY}:1:18: the control character U+0007 is not allowed; remove it"],
    ),
    (
        "raw-nul-in-team",
        vary("team: Storage Operations", "team: Storage\x00Operations"),
        [f"{STORY}:4:14: the control character U+0000 is not allowed; remove it"],
    ),
    (
        "line-break-in-title",
        vary("title: Automated SAN switch zoning", 'title: "Automated\\nSAN"'),
        [f"{STORY}:1:8: title: contains a line break; keep it on one line"],
    ),
    (
        "right-to-left-override-in-title",
        vary("title: Automated SAN switch zoning", "title: Automated \u202e SAN"),
        [f"{STORY}:1:18: title: contains the bidirectional control U+202E; remove it"],  # at the character
    ),
    (
        "left-to-right-isolate-in-team",
        vary("team: Storage Operations", "team: Storage \u2066Operations"),
        [f"{STORY}:4:15: team: contains the bidirectional control U+2066; remove it"],
    ),
    (
        "bidi-override-in-owner",
        with_line("category: automation", 'owners: ["Priya \\u202eRaman"]'),
        [f"{STORY}:6:10: owners[0]: contains the bidirectional control U+202E; remove it"],
    ),
    (
        "bidi-override-in-metric-name",
        vary("  - name: Processing time per zoning request", "  - name: Processing \u202dtime"),
        [f"{STORY}:11:22: metrics[0].name: contains the bidirectional control U+202D; remove it"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in STORY_CASES], ids=[c[0] for c in STORY_CASES])
def test_one_mistake_gives_the_exact_problem_lines(tmp_path: Path, text: str | bytes, expected: list[str]) -> None:
    assert story_problems(tmp_path, text) == expected


def test_a_quarter_and_a_date_are_compared_in_the_fiscal_year(tmp_path: Path) -> None:
    text = with_line("quarter: 2026-Q3", "date: 2026-10-15")
    assert story_problems(tmp_path / "a", text, CONFIG + "fiscal_year_start: 4\n") == [
        f"{STORY}:4:7: date: 2026-10-15 falls in 2027-Q3, but `quarter` says 2026-Q3; correct one of them"
    ]
    agreeing = with_line("quarter: 2027-Q3", "date: 2026-10-15", vary("2026-Q3", "2027-Q3"))
    assert is_valid(write_workspace(tmp_path / "b", {"2026-Q3/x.yaml": agreeing}, CONFIG + "fiscal_year_start: 4\n"))


def test_duplicate_ids_across_folders_name_the_other_files(tmp_path: Path) -> None:
    root = write_workspace(
        tmp_path,
        {
            "2026-Q3/x.yaml": BASE,
            "2026-Q1/x.yml": vary("2026-Q3", "2026-Q1"),
            "archive/old/x.yaml": BASE,
            "2026-Q3/other.yaml": BASE,
        },
    )
    rename = "ids come from file names, rename one of them"
    assert problems(root) == [
        f"stories/2026-Q1/x.yml:1:1: the story id `x` is also used by stories/2026-Q3/x.yaml, "
        f"stories/archive/old/x.yaml; {rename}",
        f"stories/2026-Q3/x.yaml:1:1: the story id `x` is also used by stories/2026-Q1/x.yml, "
        f"stories/archive/old/x.yaml; {rename}",
        f"stories/archive/old/x.yaml:1:1: the story id `x` is also used by stories/2026-Q1/x.yml, "
        f"stories/2026-Q3/x.yaml; {rename}",
    ]


def test_ignored_files_are_not_read(tmp_path: Path) -> None:
    broken = "title: [\n"
    root = write_workspace(
        tmp_path,
        {
            "2026-Q3/x.yaml": BASE,
            "2026-Q3/_draft.yaml": broken,
            "2026-Q3/.hidden.yaml": broken,
            "2026-Q3/notes.txt": broken,
            "_drafts/y.yaml": broken,
        },
    )
    result = invoke(root)
    assert (result.exit_code, result.stdout) == (0, "1 story valid\n")


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    assert is_valid(write_workspace(tmp_path, {"2026-Q3/x.yaml": b"\xef\xbb\xbf" + BASE.encode()}))


# ---------------------------------------------------------------------------------------
# All problems of a run at once, sorted by file then line; the same as JSON


def sorted_run_workspace(root: Path) -> Path:
    return write_workspace(
        root,
        {
            # Written in this order on purpose: neither creation order nor key order decide.
            "2026-Q3/b.yaml": vary("before: 50", 'before: "50"', vary("team: Storage Operations\n", "")),
            "2026-Q3/a.yaml": with_line("    after: 20", "    zz: 1").replace("summary:", "sumary:"),
            "2026-Q1/z.yaml": vary("quarter: 2026-Q3", "quarter: 2026-Q1").replace("- name: P", "- name: \u202eP"),
            "2026-Q2/broken.yaml": "title: [\n",
            "2026-Q2/fine.yaml": vary("quarter: 2026-Q3", "quarter: 2026-Q2"),
        },
    )


SORTED_RUN = [
    "stories/2026-Q1/z.yaml:11:11: metrics[0].name: contains the bidirectional control U+202E; remove it",
    "stories/2026-Q2/broken.yaml:2:1: YAML syntax error: did not find expected node content "
    "(while parsing a flow node); check the indentation and quoting on this line",
    "stories/2026-Q3/a.yaml:2:1: sumary: `sumary` is not a story field; did you mean `summary`?",
    "stories/2026-Q3/a.yaml:15:5: metrics[0].zz: `zz` is not a metric field; use one of: `name`, `unit`, "
    "`before`, `after`, `better`, `frequency`, `per`, `hands_on`, `each`, `basis`, `source`, `accept`",
    "stories/2026-Q3/b.yaml:1:1: team: is missing; add `team:` (The team that owns the story.)",
    "stories/2026-Q3/b.yaml:12:13: metrics[0].before: is a quoted number; remove the quotes: 50",
]


def test_every_problem_of_the_run_is_reported_sorted_by_file_then_line(tmp_path: Path) -> None:
    found = problems(sorted_run_workspace(tmp_path))
    assert found == SORTED_RUN
    assert summary(found) == "6 problems in 4 files"


def test_json_format_gives_the_same_problems(tmp_path: Path) -> None:
    result = invoke(sorted_run_workspace(tmp_path), "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert (data["valid"], data["stories"]) == (False, 1)
    assert all(set(p) == {"path", "line", "column", "field", "message"} for p in data["problems"])
    as_text = [
        f"{p['path']}:{p['line']}:{p['column']}: {p['field'] + ': ' if p['field'] else ''}{p['message']}"
        for p in data["problems"]
    ]
    assert as_text == SORTED_RUN
    assert data["problems"][0] == {
        "path": "stories/2026-Q1/z.yaml",
        "line": 11,
        "column": 11,
        "field": "metrics[0].name",
        "message": "contains the bidirectional control U+202E; remove it",
    }


def test_json_format_of_a_valid_workspace(tmp_path: Path) -> None:
    result = invoke(write_workspace(tmp_path), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["valid"], data["stories"], data["problems"]) == (True, 1, [])


def test_export_refuses_a_workspace_with_a_broken_story(tmp_path: Path) -> None:
    """A story with an error is never silently left out of a report or an export."""
    root = write_workspace(tmp_path, {"2026-Q3/x.yaml": BASE, "2026-Q3/y.yaml": vary("before: 50", "before: .nan")})
    assert problems(root, "--format", "json", command="export") == [
        "stories/2026-Q3/y.yaml:13:13: metrics[0].before: `.nan` is not a finite number; write a number such as 20"
    ]


# ---------------------------------------------------------------------------------------
# YAML 1.1 surprises: text fields keep the text the author typed


def test_yaml_1_1_words_and_numbers_stay_text_in_text_fields(tmp_path: Path) -> None:
    stories = {
        "2026-Q3/a.yaml": vary("team: Storage Operations", "team: on").replace(
            "title: Automated SAN switch zoning", "title: NO"
        ),
        "2026-Q3/b.yaml": vary("team: Storage Operations", "team: 1:30").replace(
            "title: Automated SAN switch zoning", "title: 010"
        ),
        "2026-Q3/c.yaml": vary("team: Storage Operations", "team: yes").replace(
            "title: Automated SAN switch zoning", "title: 1.10"
        ),
        "2026-Q3/d.yaml": with_line(
            "category: automation", "owners: [Off, 0x1F, 1e3, 2026-07-15, 12:30:45, Null_x]\ntags: [y, n, 07]"
        ).replace("  - name: Processing time per zoning request", "  - name: 1.10"),
    }
    result = invoke(write_workspace(tmp_path, stories), "--format", "json", command="export")
    assert result.exit_code == 0, result.output
    shown = {
        s["id"]: (s["title"], s["team"], s["owners"], s["tags"], [m["name"] for m in s["metrics"]])
        for s in json.loads(result.stdout)["stories"]
    }
    name = "Processing time per zoning request"
    assert shown == {
        "a": ("NO", "on", [], [], [name]),
        "b": ("010", "1:30", [], [], [name]),
        "c": ("1.10", "yes", [], [], [name]),
        "d": (
            "Automated SAN switch zoning",
            "Storage Operations",
            ["Off", "0x1F", "1e3", "2026-07-15", "12:30:45", "Null_x"],
            ["y", "n", "07"],
            ["1.10"],
        ),
    }


# ---------------------------------------------------------------------------------------
# The length limits of the spec hold, and the exact limits are accepted

LIMITS = [
    ("title", "title: Automated SAN switch zoning", "title: ", 120, 1),
    ("summary", "summary: Zoning requests now run through a reviewed playbook.", "summary: ", 300, 2),
    ("metrics[0].name", "  - name: Processing time per zoning request", "  - name: ", 100, 11),
]


@pytest.mark.parametrize(("field", "old", "prefix", "limit", "line"), LIMITS, ids=[x[0] for x in LIMITS])
def test_length_limits(tmp_path: Path, field: str, old: str, prefix: str, limit: int, line: int) -> None:
    # Characters, not bytes: a two-byte letter counts once.
    at_limit = vary(old, prefix + "é" * limit)
    assert is_valid(write_workspace(tmp_path / "at", {"2026-Q3/x.yaml": at_limit}))
    over = vary(old, prefix + "a" * (limit + 1))
    column = len(prefix) + 1
    assert story_problems(tmp_path / "over", over) == [
        f"{STORY}:{line}:{column}: {field}: is {limit + 1} characters long; the limit is {limit}, shorten it"
    ]


# ---------------------------------------------------------------------------------------
# Safe loading: no tags, no aliases, no huge files


@pytest.mark.parametrize(
    ("tag", "shown"),
    [
        ('!!python/object/apply:os.system ["touch {pwned}"]', "!!python/object/apply:os.system"),
        ('!!python/object/new:os.system ["touch {pwned}"]', "!!python/object/new:os.system"),
        ("!!python/name:os.system", "!!python/name:os.system"),
        ('!<tag:yaml.org,2002:python/object/apply:os.system> ["touch {pwned}"]', "!!python/object/apply:os.system"),
        ("!!str 010", "!!str"),
    ],
    ids=["apply", "new", "name", "verbatim-tag", "str"],
)
def test_yaml_tags_are_refused_and_never_run(tmp_path: Path, tag: str, shown: str) -> None:
    pwned = tmp_path / "pwned"
    text = vary("title: Automated SAN switch zoning", "title: " + tag.format(pwned=pwned))
    root = write_workspace(tmp_path / "ws", {"2026-Q3/x.yaml": text})
    found = problems(root)
    assert found == [f"{STORY}:1:8: title: YAML tags ({shown}) are not allowed; remove the tag"]
    assert problems(root, command="export") == found
    assert not pwned.exists()


def test_a_tag_in_the_config_is_refused_and_never_run(tmp_path: Path) -> None:
    pwned = tmp_path / "pwned"
    config = CONFIG + f'hourly_rate: !!python/object/apply:os.system ["touch {pwned}"]\n'
    found = problems(write_workspace(tmp_path / "ws", config=config))
    assert found == [
        "storyteller.yaml:2:14: hourly_rate: YAML tags (!!python/object/apply:os.system) are not allowed; remove the tag"
    ]
    assert not pwned.exists()


def test_anchors_and_aliases_are_refused(tmp_path: Path) -> None:
    text = vary("team: Storage Operations", "team: &t Storage Operations\npartners: [*t]")
    found = story_problems(tmp_path, text)
    assert found[:2] == [
        f"{STORY}:4:7: team: anchors (&t) are not supported; write the value out",
        f"{STORY}:5:12: partners[0]: aliases (*t) are not supported; write the value out",
    ]


def test_an_alias_bomb_fails_fast(tmp_path: Path) -> None:
    root = write_workspace(tmp_path, {"2026-Q3/x.yaml": billion_laughs()})
    started = time.perf_counter()
    found = problems(root)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"the alias bomb took {elapsed:.2f} s"
    assert found[:2] == [
        f"{STORY}:1:4: a: anchors (&a) are not supported; write the value out",
        f"{STORY}:2:4: b: anchors (&b) are not supported; write the value out",
    ]
    assert f"{STORY}:3:32: stopped after 20 problems in this file; fix these first" in found
    assert len(found) == 20


def test_an_alias_flood_is_bounded(tmp_path: Path) -> None:
    text = with_line("category: automation", "tags: &t [x]\nowners: [" + ", ".join(["*t"] * 100_000) + "]")
    root = write_workspace(tmp_path, {"2026-Q3/x.yaml": text})
    started = time.perf_counter()
    found = problems(root)
    elapsed = time.perf_counter() - started
    assert len(found) <= 20, f"{len(found)} problem lines"
    assert elapsed < 1.0, f"{elapsed:.2f} s"


def test_a_story_of_exactly_1_mib_is_accepted(tmp_path: Path) -> None:
    data = padded(BASE, MIB)
    assert len(data) == MIB
    assert is_valid(write_workspace(tmp_path, {"2026-Q3/x.yaml": data}))


def test_a_story_over_1_mib_is_refused_before_parsing(tmp_path: Path) -> None:
    # The YAML error on line 1 is never reported: the size is checked first.
    data = padded("title: [\n" + BASE, MIB + 1)
    assert len(data) == MIB + 1
    assert story_problems(tmp_path, data) == [
        f"{STORY}:1:1: the file is 1,048,577 bytes; the limit is 1,048,576 (1 MiB): move long text or images out of it"
    ]


def test_a_config_over_1_mib_is_refused(tmp_path: Path) -> None:
    root = write_workspace(tmp_path, config=padded("organization: [\n", MIB + 1))
    assert problems(root) == [
        "storyteller.yaml:1:1: the file is 1,048,577 bytes; the limit is 1,048,576 (1 MiB): "
        "move long text or images out of it"
    ]


# ---------------------------------------------------------------------------------------
# Files that are not what they seem: symlinks out of the workspace, FIFOs


OUTSIDE_LINK = "is a link to a file outside the workspace; copy the story into its stories folder"


def test_a_story_symlinked_from_outside_the_workspace_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(vary("title: Automated SAN switch zoning", "title: Outside"))
    root = write_workspace(tmp_path / "ws")
    (root / "stories" / "2026-Q3" / "ext.yaml").symlink_to(outside / "secret.yaml")
    result = run_in_subprocess(root)
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [f"stories/2026-Q3/ext.yaml:1:1: {OUTSIDE_LINK}", "1 problem in 1 file"]


def test_a_dangling_symlink_is_named_by_its_own_path(tmp_path: Path) -> None:
    root = write_workspace(tmp_path)
    (root / "stories" / "2026-Q3" / "y.yaml").symlink_to(root / "gone.yaml")
    assert problems(root) == ["stories/2026-Q3/y.yaml:1:1: cannot be read: No such file or directory"]


def test_a_story_folder_symlinked_from_outside_is_not_silently_skipped(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "y.yaml").write_text(BASE)
    root = write_workspace(tmp_path / "ws")
    (root / "stories" / "shared").symlink_to(outside, target_is_directory=True)
    found = problems(root)
    assert len(found) == 1
    assert found[0].startswith("stories/shared")
    assert "outside the workspace" in found[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_fifos_named_like_stories_are_refused_without_blocking(tmp_path: Path) -> None:
    root = write_workspace(tmp_path / "ws", {"2026-Q3/ok.yaml": BASE})
    folder = root / "stories" / "2026-Q3"
    os.mkfifo(folder / "x.yaml")
    os.mkfifo(root / "pipe")  # inside the workspace, reached through a link
    (folder / "inside.yaml").symlink_to(root / "pipe")
    os.mkfifo(tmp_path / "pipe")  # outside the workspace
    (folder / "outside.yaml").symlink_to(tmp_path / "pipe")
    result = run_in_subprocess(root)  # a blocking open() would hit the timeout and fail here
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        "stories/2026-Q3/inside.yaml:1:1: is not a regular file (a folder, device or pipe); use an ordinary file",
        f"stories/2026-Q3/outside.yaml:1:1: {OUTSIDE_LINK}",
        f"{STORY}:1:1: is not a regular file (a folder, device or pipe); use an ordinary file",
        "3 problems in 3 files",
    ]


# ---------------------------------------------------------------------------------------
# storyteller.yaml: problems reported the same way

CONFIG_CASES: list[tuple[str, str | bytes, list[str]]] = [
    (
        "misspelt-key",
        CONFIG + "curency: EUR\n",
        ["storyteller.yaml:2:1: curency: `curency` is not a setting field; did you mean `currency`?"],
    ),
    (
        "lower-case-currency",
        CONFIG + "currency: eur\n",
        ['storyteller.yaml:2:11: currency: "eur" is not a currency code; write three capitals like USD'],
    ),
    (
        "number-as-currency",
        CONFIG + "currency: 100\n",
        ['storyteller.yaml:2:11: currency: "100" is not a currency code; write three capitals like USD'],
    ),
    (
        "colour-with-five-digits",
        CONFIG + "brand:\n  primary: '#12345'\n",
        ['storyteller.yaml:3:12: brand.primary: "#12345" is not a colour; write it as #rrggbb'],
    ),
    (
        "colour-name",
        CONFIG + "brand:\n  primary: teal\n",
        ['storyteller.yaml:3:12: brand.primary: "teal" is not a colour; write it as #rrggbb'],
    ),
    (
        "fiscal-year-start-13",
        CONFIG + "fiscal_year_start: 13\n",
        ["storyteller.yaml:2:20: fiscal_year_start: must be at most 12, found 13"],
    ),
    (
        "fiscal-year-start-0",
        CONFIG + "fiscal_year_start: 0\n",
        ["storyteller.yaml:2:20: fiscal_year_start: must be at least 1, found 0"],
    ),
    (
        "fiscal-year-start-fraction",
        CONFIG + "fiscal_year_start: 4.5\n",
        ["storyteller.yaml:2:20: fiscal_year_start: must be a whole number, found 4.5"],
    ),
    (
        "fiscal-year-start-octal",
        CONFIG + "fiscal_year_start: 04\n",
        ["storyteller.yaml:2:20: fiscal_year_start: `04` has a leading zero, which YAML 1.1 reads as octal; write 4"],
    ),
    (
        "fiscal-year-start-quoted",
        CONFIG + "fiscal_year_start: '4'\n",
        ["storyteller.yaml:2:20: fiscal_year_start: is a quoted number; remove the quotes: 4"],
    ),
    (
        "unknown-locale",
        CONFIG + "locale: de_DX\n",
        ["storyteller.yaml:2:9: locale: `de_DX` is not a locale Babel knows; did you mean `de_DE`?"],
    ),
    (
        "locale-with-hyphen",
        CONFIG + "locale: en-US\n",
        ['storyteller.yaml:2:9: locale: "en-US" is not a locale like en_US or de_DE'],
    ),
    (
        "quoted-hourly-rate",
        CONFIG + "hourly_rate: '95'\n",
        ["storyteller.yaml:2:14: hourly_rate: is a quoted number; remove the quotes: 95"],
    ),
    (
        "negative-hourly-rate",
        CONFIG + "hourly_rate: -5\n",
        ["storyteller.yaml:2:14: hourly_rate: must be greater than 0, found -5"],
    ),
    (
        "infinite-hourly-rate",
        CONFIG + "hourly_rate: .inf\n",
        ["storyteller.yaml:2:14: hourly_rate: `.inf` is not a finite number; write a number such as 20"],
    ),
    (
        "hours-per-fte-over-a-year",
        CONFIG + "hours_per_fte: 9000\n",
        ["storyteller.yaml:2:16: hours_per_fte: must be at most 8784, found 9000"],
    ),
    (
        "category-key-with-capitals",
        CONFIG + "categories:\n  Infra: Infrastructure\n",
        ["storyteller.yaml:3:3: categories.Infra: `Infra` is not a key; use lower-case words joined by hyphens"],
    ),
    (
        "duplicate-key",
        CONFIG + CONFIG,
        ["storyteller.yaml:2:1: organization: `organization` appears twice (lines 1 and 2); keep one of them"],
    ),
    (
        "syntax-error",
        "organization: [Test Org\n",
        ["storyteller.yaml:1:15: YAML syntax error: the `[` opened here is never closed; add `]` (or quote the text)"],
    ),
    ("tab-indentation", CONFIG + "brand:\n\tprimary: '#000000'\n", [f"storyteller.yaml:3:1: {TAB}"]),
    (
        "not-utf-8",
        b"organization: Caf\xe9\n",
        [
            "storyteller.yaml:1:18: the file is not UTF-8 text: byte 0xE9 at offset 17 cannot be decoded; "
            "save the file as UTF-8"
        ],
    ),
    ("a-list", "- organization: Test Org\n", ["storyteller.yaml:1:1: expected a mapping of fields, found a list"]),
    *(
        (
            f"stories-{name}",
            CONFIG + f"stories: {folder}\n",
            [
                f"storyteller.yaml:2:10: stories: `{folder}` is outside the workspace; stories live in a folder "
                "inside it, such as `stories`"
            ],
        )
        for name, folder in (("above", ".."), ("the-workspace", "."), ("absolute", "/tmp/stories"))
    ),
    (
        "several-problems-sorted",
        "fiscal_year_start: 13\nbrand:\n  primary: teal\ncurency: EUR\n",
        [
            "storyteller.yaml:1:20: fiscal_year_start: must be at most 12, found 13",
            'storyteller.yaml:3:12: brand.primary: "teal" is not a colour; write it as #rrggbb',
            "storyteller.yaml:4:1: curency: `curency` is not a setting field; did you mean `currency`?",
        ],
    ),
]


@pytest.mark.parametrize(("config", "expected"), [c[1:] for c in CONFIG_CASES], ids=[c[0] for c in CONFIG_CASES])
def test_config_problems_give_the_exact_lines(tmp_path: Path, config: str | bytes, expected: list[str]) -> None:
    assert problems(write_workspace(tmp_path, config=config)) == expected


def test_config_problems_as_json(tmp_path: Path) -> None:
    result = invoke(write_workspace(tmp_path, config=CONFIG + "fiscal_year_start: 13\n"), "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert (data["valid"], data["stories"]) == (False, 0)
    assert data["problems"] == [
        {
            "path": "storyteller.yaml",
            "line": 2,
            "column": 20,
            "field": "fiscal_year_start",
            "message": "must be at most 12, found 13",
        }
    ]


@pytest.mark.parametrize("config", ["", "# all defaults\n"], ids=["empty", "comments-only"])
def test_an_empty_config_means_all_defaults(tmp_path: Path, config: str) -> None:
    assert is_valid(write_workspace(tmp_path, config=config))


def test_a_story_using_a_default_category_after_the_config_defines_its_own(tmp_path: Path) -> None:
    config = CONFIG + "categories:\n  infra-automation: Automation\n  process: Process\noutcomes:\n  savings: Savings\n"
    text = with_line("category: automation", "impact: [cost]")
    assert story_problems(tmp_path, text, config) == [
        f"{STORY}:5:11: category: `automation` is not a known category; did you mean `infra-automation`?",
        f"{STORY}:6:10: impact[0]: `cost` is not a known outcome; use one of: `savings`",
    ]


# ---------------------------------------------------------------------------------------
# Hard cases: where a first version fell short (wrong place, echoed controls, noise)


def test_an_unclosed_bracket_is_reported_where_it_opens(tmp_path: Path) -> None:
    found = story_problems(tmp_path, vary("team: Storage Operations", "team: [Storage Operations"))
    assert len(found) == 1
    assert found[0].startswith(f"{STORY}:4:7: ")


def test_an_unclosed_quote_is_reported_where_it_opens(tmp_path: Path) -> None:
    found = story_problems(tmp_path, vary("team: Storage Operations", 'team: "Storage Operations'))
    assert len(found) == 1
    assert found[0].startswith(f"{STORY}:4:7: ")


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"], ids=["NEL", "LS", "PS"])
def test_a_unicode_line_break_in_a_one_line_field_is_named_on_its_line(tmp_path: Path, char: str) -> None:
    found = story_problems(tmp_path, vary("Automated SAN", f"Automated{char}SAN"))
    assert len(found) == 1
    assert found[0].startswith(f"{STORY}:1:")
    assert f"U+{ord(char):04X}" in found[0]


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"], ids=["NEL", "LS", "PS"])
def test_a_unicode_line_break_in_markdown_does_not_shift_line_numbers(tmp_path: Path, char: str) -> None:
    text = vary("Every zoning", f"Every{char}zoning", vary("before: 50", "before: '50'"))
    found = story_problems(tmp_path, text)
    assert f"{STORY}:13:13: metrics[0].before: is a quoted number; remove the quotes: 50" in found
    others = [line for line in found if ":13:13:" not in line]
    assert all(line.startswith(f"{STORY}:7:") and f"U+{ord(char):04X}" in line for line in others)


@pytest.mark.parametrize("escape", ["\\L", "\\P", "\\u2028"], ids=["L", "P", "u2028"])
def test_a_unicode_line_separator_in_a_quoted_title_is_refused(tmp_path: Path, escape: str) -> None:
    found = story_problems(tmp_path, vary("title: Automated SAN switch zoning", f'title: "Automated{escape}SAN"'))
    assert len(found) == 1
    assert found[0].startswith(f"{STORY}:1:8: title: contains ")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"auto\\u202emation"', f"{STORY}:5:11: category: contains the bidirectional control U+202E; remove it"),
        ('"\\e[31mautomation"', f"{STORY}:5:11: category: contains the control character U+001B; remove it"),
    ],
    ids=["bidi", "escape-sequence"],
)
def test_control_characters_in_a_choice_field_are_named_not_echoed(tmp_path: Path, value: str, expected: str) -> None:
    assert story_problems(tmp_path, vary("category: automation", f"category: {value}")) == [expected]


def test_every_problem_is_one_line_even_for_a_strange_key(tmp_path: Path) -> None:
    found = story_problems(tmp_path, BASE + '"sum\\nmary": x\n')
    assert len(found) == 1
    assert found[0].startswith(f"{STORY}:15:1: ")


@pytest.mark.parametrize(
    ("story", "config", "expected"),
    [
        (
            vary("    unit: minutes\n", "    unit: minutes\n    unit: hours\n"),
            CONFIG,
            f"{STORY}:13:5: metrics[0].unit: `unit` appears twice (lines 12 and 13); keep one of them",
        ),
        (
            BASE,
            CONFIG + "brand:\n  primary: '#000000'\n  primary: '#111111'\n",
            "storyteller.yaml:4:3: brand.primary: `primary` appears twice (lines 3 and 4); keep one of them",
        ),
    ],
    ids=["metric", "config-brand"],
)
def test_a_nested_duplicate_key_names_its_field_path(tmp_path: Path, story: str, config: str, expected: str) -> None:
    assert story_problems(tmp_path, story, config) == [expected]


def test_a_refused_tag_gives_one_problem_with_its_field(tmp_path: Path) -> None:
    text = vary("title: Automated SAN switch zoning", 'title: !!python/object/apply:os.system ["true"]')
    assert story_problems(tmp_path, text) == [
        f"{STORY}:1:8: title: YAML tags (!!python/object/apply:os.system) are not allowed; remove the tag"
    ]


@pytest.mark.parametrize(
    ("config", "story", "expected"),
    [
        (
            CONFIG + "currency: EURO\n",
            BASE,
            'storyteller.yaml:2:11: currency: "EURO" is not a currency code; write three capitals like USD',
        ),
        (
            CONFIG + "brand:\n  primary: '#0f4c5cc'\n",
            BASE,
            'storyteller.yaml:3:12: brand.primary: "#0f4c5cc" is not a colour; write it as #rrggbb',
        ),
        (
            CONFIG,
            vary("quarter: 2026-Q3", "quarter: 2026-Q10"),
            f'{STORY}:3:10: quarter: "2026-Q10" is not a quarter; write it as YYYY-Qn from 2000-Q1 to 2099-Q4, e.g. 2026-Q3',
        ),
    ],
    ids=["currency", "colour", "quarter"],
)
def test_a_malformed_code_is_named_as_such_not_as_too_long(
    tmp_path: Path, config: str, story: str, expected: str
) -> None:
    assert story_problems(tmp_path, story, config) == [expected]


@pytest.mark.parametrize("setting", ["locale: zz", "currency: XYZ"], ids=["locale", "currency"])
def test_a_config_problem_without_a_close_match_stays_short(tmp_path: Path, setting: str) -> None:
    found = problems(write_workspace(tmp_path, config=CONFIG + setting + "\n"))
    assert len(found) == 1
    assert len(found[0]) < 300, f"{len(found[0])} characters"


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (
            "currency: GPB",
            "storyteller.yaml:2:11: currency: `GPB` is not an ISO 4217 currency code; did you mean `GBP`?",
        ),
        (
            "currency: EUD",
            "storyteller.yaml:2:11: currency: `EUD` is not an ISO 4217 currency code; did you mean `EUR`?",
        ),
        ("locale: en_us", "storyteller.yaml:2:9: locale: `en_us` is not a locale Babel knows; did you mean `en_US`?"),
    ],
    ids=["GPB", "EUD", "en_us"],
)
def test_config_suggestions_find_the_obvious_value(tmp_path: Path, setting: str, expected: str) -> None:
    assert problems(write_workspace(tmp_path, config=CONFIG + setting + "\n")) == [expected]


def test_empty_categories_are_called_empty(tmp_path: Path) -> None:
    found = problems(write_workspace(tmp_path, config=CONFIG + "categories: {}\n"))
    assert len(found) == 1
    assert found[0].startswith("storyteller.yaml:2:13: categories: ")
    assert "found a mapping" not in found[0]
    assert "empty" in found[0]


def test_an_unquoted_colour_is_not_silently_ignored(tmp_path: Path) -> None:
    found = problems(write_workspace(tmp_path, config=CONFIG + "brand:\n  primary: #0f4c5c\n"))
    assert len(found) == 1
    assert found[0].startswith("storyteller.yaml:3:")
    assert "brand.primary: " in found[0]


def test_a_missing_stories_folder_points_at_the_setting(tmp_path: Path) -> None:
    root = write_workspace(tmp_path, config=CONFIG + "stories: nowhere\n")
    assert problems(root) == [
        "storyteller.yaml:2:10: stories: the stories folder `nowhere` does not exist; create it or fix `stories:`"
    ]


def test_a_stories_folder_outside_the_workspace_is_refused(tmp_path: Path) -> None:
    outside = write_workspace(tmp_path / "outside")
    root = write_workspace(tmp_path / "ws", config=CONFIG + f"stories: ../{outside.name}/stories\n")
    found = problems(root)
    assert len(found) == 1
    assert found[0].startswith("storyteller.yaml:2:10: stories: ")
