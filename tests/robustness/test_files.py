"""wattprint.files: inputs checked before opening, outputs atomic and never an input."""

from __future__ import annotations

import os

import pytest

from wattprint.errors import InputError
from wattprint.files import atomic_output, check_output_path, input_file


def test_input_file_refuses_missing_folder_and_fifo(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        input_file(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="is a folder"):
        input_file(tmp_path)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="named pipe"):
        input_file(fifo)


def test_output_may_not_be_an_input_even_through_a_link(tmp_path):
    source = tmp_path / "jobs.csv"
    source.write_text("a\n1\n")
    link = tmp_path / "link.csv"
    link.symlink_to(source)
    for target in (source, link):
        with pytest.raises(InputError, match="destroy the input"):
            check_output_path(target, inputs=[source])
    assert source.read_text() == "a\n1\n"


def test_output_refuses_missing_folder_and_fifo(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        check_output_path(tmp_path / "missing" / "out.csv")
    fifo = tmp_path / "out.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="named pipe"):
        check_output_path(fifo)


def test_atomic_output_leaves_old_file_on_failure(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_output(target) as temporary:
        temporary.write_text("half")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    with atomic_output(target) as temporary:
        temporary.write_text("new")
    assert target.read_text() == "new"
