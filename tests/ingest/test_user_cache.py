"""Cache files are written whole, and temporary files of killed writers do not pile up."""

from __future__ import annotations

import os
from pathlib import Path

from ingest.user_cache import STALE_PART_S, sweep_stale_parts, write_whole


def _file(path: Path, age_s: float, content: bytes = b"x") -> Path:
    path.write_bytes(content)
    stamp = path.stat().st_mtime - age_s
    os.utime(path, (stamp, stamp))
    return path


def test_a_killed_writers_old_part_file_is_removed_by_the_next_write(tmp_path: Path):
    old = _file(tmp_path / "tmp1234.part", STALE_PART_S + 60, b"half")
    target = tmp_path / "words.sqlite"

    assert write_whole(target, lambda temp: temp.write_bytes(b"whole"))

    assert target.read_bytes() == b"whole"
    assert not old.exists()
    assert list(tmp_path.glob("*.part")) == []


def test_a_part_file_still_being_written_and_other_files_are_left_alone(tmp_path: Path):
    fresh = _file(tmp_path / "tmp5678.part", 5)
    other = _file(tmp_path / "notes.txt", STALE_PART_S * 2)

    sweep_stale_parts(tmp_path)

    assert fresh.exists()
    assert other.exists()


def test_a_failing_write_leaves_no_part_file_and_keeps_the_old_cache(tmp_path: Path):
    target = _file(tmp_path / "words.sqlite", 0, b"old")

    def fails(temp: Path) -> None:
        temp.write_bytes(b"half")
        raise OSError("disk full")

    assert not write_whole(target, fails)
    assert target.read_bytes() == b"old"
    assert list(tmp_path.glob("*.part")) == []
