"""The benchmark's command line, and the options a per-size subprocess receives as JSON."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from benchmarks.scale import KINDS
from bot.search.config import RankConfig

DEFAULT_DATA = "../shared/eval/realtimeqa"
PHASES = ("cold", "answers", "unbounded", "reference", "baselines", "alerts", "lag", "e2e")


@dataclass(frozen=True, slots=True)
class Options:
    """Everything one run needs; the parent passes it to each size's subprocess."""

    sizes: tuple[int, ...] = (1000, 10000, 100000)
    data: str = DEFAULT_DATA
    json_out: str | None = None
    workdir: str | None = None  # where archives are built (default: a temporary folder)
    keep: bool = False  # keep the built archives
    seed: int = 6  # how the larger archives' variants are drawn
    # Archives of each size larger than the source are also built from these seeds, for answer
    # quality alone: the comparison with the source archive pools them with ``seed``'s.
    quality_seeds: tuple[int, ...] = ()
    variants: str = "recombined"  # what a variant's text is: see benchmarks.scale.KINDS
    # RankConfig fields the engine runs with instead of their defaults, in every phase and in
    # the source archive it is compared with: what a change of bounds or weights does at scale.
    rank: dict[str, int | float] = field(default_factory=dict)
    chunk: int = 2000  # articles generated and handed to ingest_articles per call
    questions: int | None = None  # at most this many questions of each split (default: all)
    cold_runs: int = 3
    baseline_questions: int = 20
    baseline_budget_s: float = 60.0  # per baseline and size; at least 3 questions are timed
    extra_articles: int = 2000  # ingested during the loop-lag phase and during the e2e phase
    e2e_asks: int = 50
    skip: tuple[str, ...] = field(default_factory=tuple)
    strict: bool = False  # exit 1 when a target fails

    def to_json(self) -> str:
        """The options as JSON (for a subprocess)."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Options:
        """Options written by :meth:`to_json`."""
        raw = json.loads(text)
        raw["sizes"] = tuple(raw["sizes"])
        raw["skip"] = tuple(raw["skip"])
        raw["quality_seeds"] = tuple(raw["quality_seeds"])
        return cls(**raw)

    def runs(self, phase: str) -> bool:
        """Whether a phase runs (not named in ``--skip``)."""
        return phase not in self.skip

    def rank_config(self) -> RankConfig:
        """The engine's settings for this run: the defaults with ``rank`` applied."""
        return replace(RankConfig(), **self.rank)


DEFAULTS = Options()


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part.replace("_", "")) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes must be whole numbers, got {text!r}") from None
    if not sizes or any(size < 10 for size in sizes):
        raise argparse.ArgumentTypeError("every size must be at least 10 articles")
    return sizes


def _seeds(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"seeds must be whole numbers, got {text!r}") from None


def _skip(text: str) -> tuple[str, ...]:
    phases = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [p for p in phases if p not in PHASES]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown phase(s) {unknown}; known: {', '.join(PHASES)}")
    return phases


def _rank(text: str) -> dict[str, int | float]:
    """``name=value,...`` as RankConfig overrides, each value of its field's type."""
    defaults = asdict(RankConfig())
    overrides: dict[str, int | float] = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        name, equals, value = (piece.strip() for piece in part.partition("="))
        if not equals or name not in defaults:
            raise argparse.ArgumentTypeError(
                f"expected name=value, name one of {', '.join(defaults)}; got {part!r}"
            )
        kind = type(defaults[name])
        try:
            overrides[name] = kind(value)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} takes a {kind.__name__}, got {value!r}"
            ) from None
    return overrides


def parser() -> argparse.ArgumentParser:
    """The ``python -m benchmarks`` argument parser."""
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmark newsbot at several archive sizes; prints a table, writes JSON.",
    )
    p.add_argument("--sizes", type=_sizes, default=DEFAULTS.sizes, help="e.g. 1000,10000,100000")
    p.add_argument("--data", default=DEFAULT_DATA, help="folder with articles.jsonl")
    p.add_argument("--json", dest="json_out", help="write the figures here")
    p.add_argument("--workdir", help="build archives here (default: a temporary folder)")
    p.add_argument("--keep", action="store_true", help="keep the built archives")
    p.add_argument("--seed", type=int, default=DEFAULTS.seed, help="how variants are drawn")
    p.add_argument(
        "--quality-seeds",
        type=_seeds,
        default=(),
        help="also judge answer quality on archives drawn with these seeds (e.g. 2,3), pooled",
    )
    p.add_argument(
        "--variants",
        choices=KINDS,
        default=DEFAULTS.variants,
        help="recombined: two stories' paragraphs mixed (default); copies: edited reprints",
    )
    p.add_argument(
        "--rank",
        type=_rank,
        default={},
        help="engine settings instead of the defaults, e.g. article_pool=60,snippet_pool=120",
    )
    p.add_argument("--chunk", type=int, default=DEFAULTS.chunk, help="articles per ingest call")
    p.add_argument("--questions", type=int, help="at most this many questions of each split")
    p.add_argument("--cold-runs", type=int, default=DEFAULTS.cold_runs)
    p.add_argument("--baseline-questions", type=int, default=DEFAULTS.baseline_questions)
    p.add_argument("--baseline-budget-s", type=float, default=DEFAULTS.baseline_budget_s)
    p.add_argument("--extra-articles", type=int, default=DEFAULTS.extra_articles)
    p.add_argument("--e2e-asks", type=int, default=DEFAULTS.e2e_asks)
    p.add_argument(
        "--skip", type=_skip, default=(), help=f"phases to leave out: {','.join(PHASES)}"
    )
    p.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    return p


def parse(argv: list[str] | None = None) -> Options:
    """Options from the command line."""
    args = parser().parse_args(argv)
    return Options(**vars(args))


def resolve_data(options: Options) -> Path:
    """The data folder as a path (relative paths are read from the current directory)."""
    return Path(options.data).expanduser()
