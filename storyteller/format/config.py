"""Finding the workspace and reading its storyteller.yaml."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from storyteller.errors import Problem, ProblemsFound, WorkspaceError
from storyteller.format.fields import INVALID, Context
from storyteller.format.model import CONFIG, Config, config_from_values, places
from storyteller.format.source import Map, parse, read_limited
from storyteller.paths import inside, real, real_file

CONFIG_NAME = "storyteller.yaml"


def find_workspace(start: Path | None = None, explicit: Path | None = None) -> Path:
    """The workspace named by ``explicit``, or the nearest folder upward holding storyteller.yaml."""
    if explicit is not None:
        folder = explicit.parent if explicit.name == CONFIG_NAME else explicit
        if not (folder / CONFIG_NAME).is_file():
            raise WorkspaceError(
                f"{folder} is not a workspace: it has no {CONFIG_NAME}; run `storyteller init {folder}`"
            )
        return folder.resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise WorkspaceError(
        f"no {CONFIG_NAME} found in {here} or any folder above it; "
        "run `storyteller init` to create a workspace, or pass --workspace PATH"
    )


def load_config(root: Path) -> Config:
    """Read and validate ``root/storyteller.yaml``; raises ProblemsFound with every problem."""
    data, problem = read_limited(root / CONFIG_NAME, root, CONFIG_NAME)
    if problem is not None:
        raise ProblemsFound([problem])
    node, problems = parse(data, CONFIG_NAME)
    problems = [p for p in problems if "the file is empty" not in p.message]  # all keys are optional
    if node is None:
        if problems:
            raise ProblemsFound(problems)
        return Config(root=root)
    ctx = Context(CONFIG_NAME, problems, base_dir=root, workspace=root)
    values = CONFIG.convert(node, "", ctx)
    if isinstance(node, Map) and isinstance(values.get("stories"), str):
        stories = values["stories"]
        if os.path.isabs(stories) or real(root / stories) == real(root) or not inside(root / stories, root):
            values["stories"] = ctx.problem(
                node.entries["stories"],
                "stories",
                f"`{stories}` is outside the workspace; stories live in a folder inside it, such as `stories`",
            )
    if ctx.problems or values is INVALID or not isinstance(node, Map):
        raise ProblemsFound(ctx.problems)
    config = config_from_values(root, values)
    locations = places(node)
    return dataclasses.replace(config, locations=locations)


def relative(path: Path, root: Path) -> str:
    """``path`` as shown in messages: relative to the workspace, with forward slashes."""
    absolute = Path(os.path.abspath(path))  # not resolved: a link is shown where it stands
    try:
        return absolute.relative_to(real_file(root)).as_posix()
    except ValueError:
        return path.as_posix()


__all__ = ["CONFIG_NAME", "Problem", "find_workspace", "load_config", "relative"]
