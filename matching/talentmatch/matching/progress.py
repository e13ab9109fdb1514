"""How the ``talentmatch`` command shows a solve's progress on stderr: a bar, lines or nothing.

A bar (tqdm) needs a terminal to be readable and the ``progress`` extra to be installed; the
engine itself depends on ortools only, so tqdm is imported here, when a bar is asked for.
Lines are what logs and pipes get: one line at most once a second, as they always were.
"""

from __future__ import annotations

import argparse
import time
from types import TracebackType
from typing import TYPE_CHECKING, Never, TextIO

from talentmatch.matching.cpsat import Incumbent

if TYPE_CHECKING:
    from tqdm import tqdm

__all__ = [
    "AUTO",
    "BAR",
    "LINES",
    "MODES",
    "NONE",
    "ProgressBar",
    "ProgressPrinter",
    "ProgressUnavailable",
    "SolveProgress",
    "add_progress_option",
    "bar_available",
    "resolve_mode",
    "solve_progress",
]

AUTO, BAR, LINES, NONE = "auto", "bar", "lines", "none"
MODES = (AUTO, BAR, LINES, NONE)
EXTRA_HINT = "pip install 'talentmatch-matching[progress]'"


class ProgressUnavailable(Exception):  # noqa: N818  (a refusal the command reports, exit 2)
    """A bar was asked for but tqdm is not installed."""

    def __init__(self) -> None:
        super().__init__(f"--progress bar needs the 'progress' extra (tqdm): {EXTRA_HINT}")


def gap_percent(value: int, bound: int) -> float:
    return (bound - value) / bound * 100 if bound > 0 else 0.0


class SolveProgress:
    """Receives the first tier's incumbents during a solve and the final figures after it."""

    def __call__(self, event: Incumbent) -> None:
        """An incumbent, as the solver reports it."""

    def finish(self, placed: int, bound: int | None) -> None:
        """The solve is over; ``placed`` and ``bound`` are the solution's."""

    def __enter__(self) -> SolveProgress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the stream (a bar leaves its last state on the screen)."""


class ProgressPrinter(SolveProgress):
    """Prints incumbent, bound and gap of the first tier, at most once a second after 1 s."""

    def __init__(self, stream: TextIO, min_interval: float = 1.0) -> None:
        self.stream = stream
        self.min_interval = min_interval
        self.last = 0.0
        self.printed = False

    def __call__(self, event: Incumbent) -> None:
        if event.elapsed < 1.0 or event.elapsed - self.last < self.min_interval:
            return
        self.last = event.elapsed
        gap = gap_percent(event.value, event.bound)
        line = (
            f"  {event.elapsed:6.1f} s  placed {event.value:,}  bound {event.bound:,}"
            f"  gap {gap:.2f} %"
        )
        self.stream.write(line + "\n")
        self.stream.flush()
        self.printed = True


class ProgressBar(SolveProgress):
    """A bar over the time limit: elapsed / limit, then the incumbent, the bound and the gap."""

    def __init__(self, stream: TextIO, time_limit: float) -> None:
        from tqdm import tqdm  # the optional extra: only a bar needs it

        self.limit = time_limit
        self.started = time.monotonic()
        self.bar: tqdm[Never] = tqdm(
            total=time_limit,
            file=stream,
            desc="solving",
            bar_format="{desc} {bar} {n:.1f}/{total:.1f} s{postfix}",
            dynamic_ncols=True,
        )

    def __call__(self, event: Incumbent) -> None:
        self._show(event.value, event.bound)
        # update() keeps tqdm's own refresh interval; the elapsed time never passes the limit.
        self.bar.update(max(0.0, min(event.elapsed, self.limit) - self.bar.n))

    def finish(self, placed: int, bound: int | None) -> None:
        self._show(placed, bound)
        # The solve's own time, up to the limit (incumbents may have stopped coming long ago).
        self.bar.n = min(self.limit, time.monotonic() - self.started)
        self.bar.refresh()

    def close(self) -> None:
        self.bar.close()

    def _show(self, placed: int, bound: int | None) -> None:
        text = f"placed {placed:,}"
        if bound is not None:
            text += f"  bound {bound:,}  gap {gap_percent(placed, bound):.2f} %"
        self.bar.set_postfix_str(text, refresh=False)


def bar_available() -> bool:
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


def resolve_mode(mode: str, stream: TextIO) -> str:
    """``bar``, ``lines`` or ``none`` for the ``--progress`` choice ``mode`` on ``stream``.

    ``auto`` is a bar on a terminal with tqdm installed, lines otherwise (CI, pipes, files).
    Raises ProgressUnavailable for ``bar`` without tqdm.
    """
    if mode == BAR and not bar_available():
        raise ProgressUnavailable
    if mode == AUTO:
        return BAR if stream.isatty() and bar_available() else LINES
    return mode


def solve_progress(mode: str, stream: TextIO, time_limit: float) -> SolveProgress:
    """The progress display of a solve with ``time_limit`` seconds, for a resolved mode."""
    if mode == BAR:
        return ProgressBar(stream, time_limit)
    if mode == LINES:
        return ProgressPrinter(stream)
    return SolveProgress()


def add_progress_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--progress",
        choices=MODES,
        default=AUTO,
        help="progress on stderr: a bar, lines or none (default auto: a bar on a terminal, "
        "lines otherwise)",
    )
