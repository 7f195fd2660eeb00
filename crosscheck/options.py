"""Command-line value checks shared by the driver's scripts: each refuses a bad value at parse time, naming the option
and its range (argparse prints "argument --name: ..." and exits with status 2), so no work starts on bad input."""

import argparse
import math
from pathlib import Path


def converted(text, convert, noun):
    """`convert(text)`, or an argparse error saying the text is not `noun`."""
    try:
        return convert(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not {noun}: '{text}'") from None


def integer(low, high=None):
    """An int in [low, high] (no upper bound when high is None)."""
    def parse(text):
        value = converted(text, int, "an integer")
        if value < low or (high is not None and value > high):
            bound = f"{low}...{high}" if high is not None else f">= {low}"
            raise argparse.ArgumentTypeError(f"must be {'in ' if high is not None else ''}{bound}; got {value}")
        return value
    return parse


def real(low, low_open=False):
    """A finite float >= low (> low when low_open)."""
    def parse(text):
        value = converted(text, float, "a number")
        if not math.isfinite(value) or value < low or (low_open and value == low):
            raise argparse.ArgumentTypeError(f"must be a finite number {'>' if low_open else '>='} {low:g}; got {text}")
        return value
    return parse


def export_folder(text):
    """A folder written by `swift run -c release crosscheck ... --out DIR` (it holds manifest.json)."""
    folder = Path(text)
    if not (folder / "manifest.json").is_file():
        what = "has no manifest.json" if folder.is_dir() else "is not a folder"
        raise argparse.ArgumentTypeError(
            f"{folder} {what}: not an export; write one with `swift run -c release crosscheck --data NAME=PATH "
            f"--dataset NAME --seed S --out {folder}`")
    return folder


def letters(allowed):
    """A non-empty word of the letters in `allowed` (each stage once at most, in the order given)."""
    def parse(text):
        unknown = sorted(set(text) - set(allowed))
        if not text or unknown:
            raise argparse.ArgumentTypeError(
                f"takes letters of '{allowed}'" + (f"; not a stage: {', '.join(unknown)}" if unknown else "; got nothing"))
        return "".join(dict.fromkeys(text))
    return parse
