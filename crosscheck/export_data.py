"""Reading the export folder that the Swift `crosscheck` command writes (see export-format.md)."""

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np


class ExportError(ValueError):
    """An export folder or file that cannot be read; the message names the file (and line)."""


def read_lists(path):
    """Reads a `u i1 i2 ...` file into {u: [i1, i2, ...]} (lines in file order, items as written); a line that is not
    integers is refused with its file and line number."""
    lists = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            fields = line.split()
            if fields:
                try:
                    lists[int(fields[0])] = [int(x) for x in fields[1:]]
                except ValueError:
                    raise ExportError(f"{path}:{number}: expected `user item item ...` as integers, got "
                                     f"{line.strip()[:60]!r}") from None
    return lists


@dataclass(frozen=True)
class Export:
    """One export folder: a split, a teacher (and optionally a student) and the package's derived data."""

    folder: Path

    @cached_property
    def manifest(self):
        path = self.folder / "manifest.json"
        with open(path, encoding="utf-8") as f:
            try:
                manifest = json.load(f)
            except json.JSONDecodeError as error:
                raise ExportError(f"{path}:{error.lineno}: not valid JSON ({error.msg}); export the folder again") from None
        found = manifest.get("format") if isinstance(manifest, dict) else None
        if found != 1:
            raise ExportError(f"{path}: unsupported export format {found} (this driver reads format 1)")
        return manifest

    @property
    def users(self):
        return int(self.manifest["users"])

    @property
    def items(self):
        return int(self.manifest["items"])

    @property
    def name(self):
        """`<dataset>-<protocol>`, the results folder of the runs on this split."""
        return f"{self.manifest['dataset']}-{self.manifest['protocol']}"

    @property
    def seed(self):
        return int(self.manifest["seed"])

    @property
    def stage_folder(self):
        """`<dataset>-<protocol>[-lightgcn-l<layers>]-seed<S>`, the results folder of stages a-d, s and t on this export
        (the teacher's backbone named when it is not MF, so that exports of one seed keep apart)."""
        teacher = self.manifest["teacher"]
        backbone = "" if teacher["backbone"] == "mf" else f"-{teacher['backbone']}-l{teacher['layers']}"
        return f"{self.name}{backbone}-seed{self.seed}"

    @cached_property
    def train(self):
        """Training items of every user 0..U-1 (ascending, as exported)."""
        lists = read_lists(self.folder / "train.txt")
        if sorted(lists) != list(range(self.users)):
            raise ExportError(f"{self.folder / 'train.txt'}: must have one line per user 0..{self.users - 1}")
        return [lists[u] for u in range(self.users)]

    @cached_property
    def validation(self):
        return read_lists(self.folder / "validation.txt")

    @cached_property
    def test(self):
        return read_lists(self.folder / "test.txt")

    def array(self, name):
        """A `.npy` file of the export, e.g. `teacher-user` or `batch/rows`."""
        return np.load(self.folder / f"{name}.npy", allow_pickle=False)

    def has(self, name):
        return (self.folder / name).exists()

    def groups(self, k):
        """The package's popularity groups for K = k: lists of item ids, most popular group first."""
        with open(self.folder / f"groups-K{k}.txt", encoding="utf-8") as f:
            return [[int(x) for x in line.split()] for line in f if line.strip()]

    def candidates(self, k):
        """The package's UnKD candidate lists for K = k: (start offsets, items, number of groups)."""
        start = self.array(f"candidates-K{k}-start")
        items = self.array(f"candidates-K{k}-items")
        g = (len(start) - 1) // self.users
        if g * self.users + 1 != len(start):
            raise ExportError(f"{self.folder}/candidates-K{k}-start.npy: {len(start)} entries, not users * groups + 1")
        return start, items, g

    @cached_property
    def metrics(self):
        with open(self.folder / "metrics.json", encoding="utf-8") as f:
            return json.load(f)

    @cached_property
    def losses(self):
        with open(self.folder / "batch" / "losses.json", encoding="utf-8") as f:
            return json.load(f)
