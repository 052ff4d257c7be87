"""Finding, reading and validating the stories of a workspace."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from storyteller.errors import Problem, printable
from storyteller.format.config import Config, relative
from storyteller.format.fields import INVALID, Context
from storyteller.format.source import Map, parse, read_limited
from storyteller.format.story import STORY, Story
from storyteller.paths import inside, real, real_file
from storyteller.workers import shared

SUFFIXES = (".yaml", ".yml")
SHARED_FROM = 200  # story files from which they are read on every core (workers.py): 1,000 in 0.7 s on one


@dataclass
class Workspace:
    """A loaded workspace: its config, its valid stories (sorted) and every problem found."""

    config: Config
    stories: list[Story] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0  # story files read, valid or not


def discover(folder: Path, links: list[Path] | None = None, unreadable: list[OSError] | None = None) -> list[Path]:
    """Story files under ``folder``: *.yaml and *.yml in any case (`UP.YAML` is a story saved
    by an editor that writes upper-case extensions), skipping names that start with _ or .

    Linked folders are not followed (they could lead outside the workspace or in a circle);
    they are added to ``links``, and folders that cannot be read to ``unreadable``, so the
    caller can say so instead of leaving their stories out silently.
    """
    found = []
    for dirpath, dirnames, filenames in os.walk(folder, onerror=None if unreadable is None else unreadable.append):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        if links is not None:
            links.extend(Path(dirpath) / d for d in dirnames if os.path.islink(os.path.join(dirpath, d)))
        for name in filenames:
            if name.lower().endswith(SUFFIXES) and not name.startswith((".", "_")):
                found.append(Path(dirpath) / name)
    return sorted(found)


def _identity(path: Path) -> str:
    """The same file named two ways compares equal."""
    try:
        return real_file(path)
    except RuntimeError:  # a file that is a link in a loop: Path.resolve raises, realpath does not
        return real(path)


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a byte that is not UTF-8, kept by the file system's surrogateescape
        return False
    return True


def story_id(path: Path) -> str:
    return path.stem


def read_story(path: Path, config: Config, named_files: bool = True) -> tuple[Story | None, list[Problem]]:
    """Read and validate one story file. Never raises for a problem in the file.
    ``named_files``: whether the images it names must be there (see Context)."""
    shown = relative(path, config.root)
    escaped = printable(shown, limit=None)
    if escaped != shown:  # the name would reach terminals, CI logs, exports and the report
        what = "bytes that are not UTF-8" if not _utf8(shown) else "control, invisible or bidi characters"
        message = f"the file name has {what} (shown as \\uXXXX here); rename the file with plain characters"
        return None, [Problem(escaped, 1, 1, "", message)]
    data, problem = read_limited(path, config.root, shown)
    if problem is not None:
        return None, [problem]
    node, problems = parse(data, shown)
    if node is None:
        return None, problems
    if not isinstance(node, Map):
        return None, [
            *problems,
            Problem(
                shown,
                node.line,
                node.column,
                "",
                "a story is a mapping of fields (`title: ...`, `summary: ...`), not a list or a single value",
            ),
        ]
    ctx = Context(
        shown,
        problems,
        choices=config.choices,
        base_dir=path.parent,
        workspace=config.root,
        fiscal_year_start=config.fiscal_year_start,
        source=data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace"),  # parsed, so UTF-8
        named_files=named_files,
    )
    values = STORY.convert(node, "", ctx)
    if ctx.problems or values is INVALID:
        return None, ctx.problems
    return STORY.build(values, node, id=story_id(path), file=shown), []


def duplicate_ids(paths: Iterable[Path], root: Path) -> list[Problem]:
    """Two files with the same id are an error on each, naming the other."""
    by_id: dict[str, list[Path]] = defaultdict(list)
    for path in paths:
        by_id[story_id(path)].append(path)
    problems = []
    for sid, same in by_id.items():
        if len(same) < 2:
            continue
        for path in same:
            others = ", ".join(relative(p, root) for p in same if p != path)
            problems.append(
                Problem(
                    relative(path, root),
                    1,
                    1,
                    "",
                    f"the story id `{sid}` is also used by {others}; ids come from file names, rename one of them",
                )
            )
    return problems


Reader = Callable[[Path, Config], tuple[Story | None, list[Problem]]]


def load_workspace(config: Config, only: list[Path] | None = None, reader: Reader = read_story) -> Workspace:
    """Load every story (or only those under ``only``); collect all problems, sorted.

    ``reader`` reads one file; the live preview passes one that remembers unchanged files."""
    workspace = Workspace(config)
    if not config.stories_dir.is_dir():
        line, column = config.locations.get("stories", (1, 1))
        workspace.problems.append(
            Problem(
                "storyteller.yaml",
                line,
                column,
                "stories",
                f"the stories folder `{config.stories}` does not exist; create it or fix `stories:`",
            )
        )
        return workspace
    links: list[Path] = []
    unreadable: list[OSError] = []
    every = discover(config.stories_dir, links, unreadable)
    workspace.problems.extend(_folder_problems(links, unreadable, config.root))
    selected = every if only is None else _select(every, only, workspace)
    known = {_identity(p) for p in every}
    chosen = {_identity(p) for p in selected}
    outside_folder = [p for p in selected if _identity(p) not in known]
    workspace.problems.extend(
        p for p in duplicate_ids(every + outside_folder, config.root) if _identity(config.root / p.path) in chosen
    )
    workspace.files = len(selected)
    # Shared with forked copies only with read_story: a reader that remembers (the live
    # preview's) would remember in the copies and forget here.
    least = SHARED_FROM if reader is read_story else len(selected) + 1
    for story, problems in shared(lambda path: reader(path, config), selected, least):
        workspace.problems.extend(problems)
        if story is not None:
            workspace.stories.append(story)
    workspace.stories.sort(key=lambda s: (s.quarter, s.category, s.file))
    workspace.problems.sort()
    return workspace


def _folder_problems(links: list[Path], unreadable: list[OSError], root: Path) -> list[Problem]:
    """Folders whose stories are left out: linked ones (not followed) and unreadable ones."""
    problems = [
        Problem(
            relative(link, root),
            1,
            1,
            "",
            f"is a link to a folder{'' if inside(link, root) else ' outside the workspace'}; "
            "links are not followed, so move its stories into the stories folder",
        )
        for link in links
    ]
    problems.extend(
        Problem(
            relative(Path(str(error.filename)), root),
            1,
            1,
            "",
            f"this folder cannot be read ({error.strerror or error}), so its stories are left out; "
            "give storyteller permission to read it",
        )
        for error in unreadable
    )
    return problems


def _select(every: list[Path], only: list[Path], workspace: Workspace) -> list[Path]:
    selected: list[Path] = []
    for target in only:
        if target.is_dir():
            selected.extend(discover(target))
        elif target.exists():
            selected.append(target)
        else:
            workspace.problems.append(Problem(str(target), 1, 1, "", "no such file or folder"))
    seen: set[str] = set()
    unique = []
    for path in selected:
        key = _identity(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique
