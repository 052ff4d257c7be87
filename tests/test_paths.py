"""paths.real_file: the real path of a story file, with its folder's worked out once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from storyteller.paths import real_file


def test_real_file_is_what_resolve_gives(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "a" / "story.yaml").write_text("x")
    (tmp_path / "elsewhere" / "target.yaml").write_text("x")
    (tmp_path / "a" / "link.yaml").symlink_to(tmp_path / "elsewhere" / "target.yaml")
    (tmp_path / "via").symlink_to(tmp_path / "a", target_is_directory=True)
    for path in (
        "a/story.yaml",
        "a/link.yaml",
        "via/story.yaml",
        "via/link.yaml",
        "a/missing.yaml",
        "a/../a/story.yaml",
    ):
        assert real_file(tmp_path / path) == str((tmp_path / path).resolve()), path


def test_a_folder_swapped_for_a_link_is_resolved_again(tmp_path: Path) -> None:
    stories, outside = tmp_path / "ws" / "stories", tmp_path / "outside"
    stories.mkdir(parents=True)
    outside.mkdir()
    (stories / "s.yaml").write_text("x")
    (outside / "s.yaml").write_text("x")
    assert real_file(stories / "s.yaml") == str(stories.resolve() / "s.yaml")
    os.rename(stories, tmp_path / "gone")
    stories.symlink_to(outside, target_is_directory=True)  # as the live preview could see between builds
    assert real_file(stories / "s.yaml") == str(outside.resolve() / "s.yaml")


def test_a_link_loop_raises_as_resolve_does(tmp_path: Path) -> None:
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    with pytest.raises(RuntimeError):
        real_file(tmp_path / "loop.yaml")
