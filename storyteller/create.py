"""`init` and `new`: the starter files of a workspace and of a story, written without
ever overwriting (the texts themselves come from scaffold.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from storyteller.errors import UsageError, WorkspaceError, printable
from storyteller.figures.periods import Quarter
from storyteller.format.config import Config
from storyteller.format.fields import Context, closest
from storyteller.format.load import discover, story_id
from storyteller.format.scaffold import GITIGNORE, SCHEMA_FILE, config_text, slugify, story_text
from storyteller.format.schema import story_json_schema
from storyteller.format.source import Scalar
from storyteller.format.story import STORY
from storyteller.write import append_text, create_all_new, create_new, write_atomic

EXAMPLE = "example-server-builds"


def write_schema(config: Config) -> Path:
    """output/story.schema.json, which the editor hint line of every story points at."""
    path = config.output_dir / SCHEMA_FILE
    write_atomic(path, json.dumps(story_json_schema(config.choices), indent=2) + "\n")
    return path


def editor_settings(directory: Path, stories: str = "stories") -> tuple[Path, bool]:
    """.vscode/settings.json mapping the story files to the JSON Schema (for the YAML
    extension's completion and hover help), and .vscode/extensions.json recommending that
    extension. Existing files are extended, never replaced; one that is not plain JSON (VS
    Code allows comments) is left alone. Returns the settings file and whether it is set."""
    folder = directory / ".vscode"
    settings = folder / "settings.json"
    globs = [f"{stories}/**/*.yaml", f"{stories}/**/*.yml"]
    schema = f"./output/{SCHEMA_FILE}"
    data: Any = {}
    if os.path.lexists(settings) and not (settings.is_file() and not settings.is_symlink()):
        return settings, False  # a link (perhaps to a file elsewhere) or a folder: never read nor replaced
    if settings.exists():
        try:
            data = json.loads(settings.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            return settings, False
        if not isinstance(data, dict) or not isinstance(data.get("yaml.schemas", {}), dict):
            return settings, False
    schemas = data.setdefault("yaml.schemas", {})
    if schemas.get(schema) != globs:
        schemas[schema] = globs
        write_atomic(settings, json.dumps(data, indent=2) + "\n")
    extensions = folder / "extensions.json"
    if not extensions.exists():
        create_new(extensions, json.dumps({"recommendations": ["redhat.vscode-yaml"]}, indent=2) + "\n")
    return settings, True


def init_workspace(directory: Path, quarter: Quarter) -> list[Path]:
    """storyteller.yaml, one example story, .gitignore (extended, never replaced) and the
    editor settings (see editor_settings)."""
    example = directory / "stories" / str(quarter) / f"{EXAMPLE}.yaml"
    config_file = directory / "storyteller.yaml"
    for path in (config_file, example):
        if path.exists():
            raise WorkspaceError(f"{path} already exists; init never overwrites. Choose an empty folder")
    ignore = directory / ".gitignore"
    if ignore.is_symlink():
        raise WorkspaceError(f"{ignore} is a symbolic link; init never changes a file through a link: remove it")
    story = story_text(
        "Self-service server builds",
        team="Platform Engineering",
        category="automation",
        quarter=quarter,
        schema_path=f"../../output/{SCHEMA_FILE}",
        example=True,
    )
    starters = {config_file: config_text(), example: story, **({} if os.path.lexists(ignore) else {ignore: GITIGNORE})}
    create_all_new(starters)  # all or none: a full disk leaves nothing that a second try would refuse
    if ignore not in starters and "output/" not in ignore.read_text(encoding="utf-8", errors="replace").split():
        append_text(ignore, "\n" + GITIGNORE)  # add our line, keep theirs
    write_schema(Config(root=directory))
    return [config_file, example, ignore]


def _as_validated(name: str, value: str) -> str:
    """``value`` as the story field ``name`` takes it, or the message `validate` would give:
    `new` never writes a story that fails validation (a title with a line break, an escape
    sequence, a bidi control or 5,000 characters)."""
    ctx = Context("the command line")
    checked = STORY.field(name).type.convert(Scalar(value, "'", 1, 1), name, ctx)
    if ctx.problems:
        problem = ctx.problems[0]
        raise UsageError(f"{problem.field}: {problem.message}")
    return str(checked)


def new_story(config: Config, title: str, category: str | None, quarter: Quarter, team: str) -> Path:
    """A commented in-progress story in stories/<quarter>/<slug of the title>.yaml."""
    title, team = _as_validated("title", title), _as_validated("team", team)
    keys = [k for k, _ in config.categories]
    chosen = category or keys[0]
    if chosen not in keys:
        close = closest(chosen, keys)
        hint = f"did you mean `{close}`?" if close else f"use one of: {', '.join(keys)}"
        raise UsageError(f"--category `{printable(chosen)}` is not a category of this workspace; {hint}")
    slug = slugify(title)
    if not slug:
        raise UsageError("the title needs at least one letter or digit for the file name")
    existing = [p for p in discover(config.stories_dir) if story_id(p) == slug] if config.stories_dir.is_dir() else []
    if existing:
        raise WorkspaceError(f"a story with the id `{slug}` already exists: {existing[0]}; choose another title")
    target = config.stories_dir / str(quarter) / f"{slug}.yaml"
    hint = Path(os.path.relpath(config.output_dir / SCHEMA_FILE, target.parent)).as_posix()
    try:
        create_new(target, story_text(title, team=team, category=chosen, quarter=quarter, schema_path=hint))
    except FileExistsError:
        raise WorkspaceError(f"{target} already exists; new never overwrites") from None
    write_schema(config)
    return target
