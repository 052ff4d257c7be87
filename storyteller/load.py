"""Finding, reading and validating the stories of a workspace."""

from __future__ import annotations

import os
import stat
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from storyteller.config import relative
from storyteller.errors import Problem
from storyteller.model import STORY, Config, Story, story_from_values
from storyteller.schema import INVALID, Context
from storyteller.source import MAX_FILE_BYTES, Map, parse

SUFFIXES = (".yaml", ".yml")


@dataclass
class Workspace:
    """A loaded workspace: its config, its valid stories (sorted) and every problem found."""

    config: Config
    stories: list[Story] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0  # story files read, valid or not


def discover(folder: Path) -> list[Path]:
    """Story files under ``folder``: *.yaml and *.yml, skipping names that start with _ or ."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):  # does not follow symlinked folders
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        for name in filenames:
            if name.endswith(SUFFIXES) and not name.startswith((".", "_")):
                found.append(Path(dirpath) / name)
    return sorted(found)


def _identity(path: Path) -> str:
    """The same file named two ways compares equal; unlike Path.resolve, never raises on a link loop."""
    return os.path.realpath(path)


def story_id(path: Path) -> str:
    return path.stem


def read_story(path: Path, config: Config) -> tuple[Story | None, list[Problem]]:
    """Read and validate one story file. Never raises for a problem in the file."""
    shown = relative(path, config.root)
    data, problem = _read_limited(path, config.root, shown)
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
    )
    values = STORY.convert(node, "", ctx)
    if ctx.problems or values is INVALID:
        return None, ctx.problems
    return story_from_values(story_id(path), shown, values, node, config.fiscal_year_start), []


def _read_limited(path: Path, root: Path, shown: str) -> tuple[bytes, Problem | None]:
    """Read a story file, refusing what is not a regular file inside the workspace or too big."""
    try:
        resolved = path.resolve()
        if not resolved.is_relative_to(root.resolve()):
            what = "is a link to a file outside the workspace" if path.is_symlink() else "is outside the workspace"
            return b"", Problem(shown, 1, 1, "", f"{what}; copy the story into its stories folder")
        info = os.stat(resolved)
        if not stat.S_ISREG(info.st_mode):
            return b"", Problem(shown, 1, 1, "", "is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            return b"", Problem(
                shown,
                1,
                1,
                "",
                f"the file is {info.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,} (1 MiB): move long text or images out of it",
            )
        with open(resolved, "rb") as handle:
            return handle.read(MAX_FILE_BYTES + 1), None
    except OSError as error:
        return b"", Problem(shown, 1, 1, "", f"cannot be read: {error.strerror}")
    except RuntimeError:  # pathlib's report of a symlink loop
        return b"", Problem(shown, 1, 1, "", "is a symbolic link that points to itself; replace it with the file")


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


def load_workspace(config: Config, only: list[Path] | None = None) -> Workspace:
    """Load every story (or only those under ``only``); collect all problems, sorted."""
    workspace = Workspace(config)
    if not config.stories_dir.is_dir():
        workspace.problems.append(
            Problem(
                "storyteller.yaml",
                1,
                1,
                "stories",
                f"the stories folder `{config.stories}` does not exist; create it or fix `stories:`",
            )
        )
        return workspace
    every = discover(config.stories_dir)
    selected = every if only is None else _select(every, only, workspace)
    known = {_identity(p) for p in every}
    chosen = {_identity(p) for p in selected}
    outside_folder = [p for p in selected if _identity(p) not in known]
    workspace.problems.extend(
        p for p in duplicate_ids(every + outside_folder, config.root) if _identity(config.root / p.path) in chosen
    )
    workspace.files = len(selected)
    for path in selected:
        story, problems = read_story(path, config)
        workspace.problems.extend(problems)
        if story is not None:
            workspace.stories.append(story)
    workspace.stories.sort(key=lambda s: (s.quarter, s.category, s.file))
    workspace.problems.sort()
    return workspace


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
