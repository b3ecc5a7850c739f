"""``python -m benchmarks``: run every size in its own subprocess, compare the answer quality
of the sizes larger than the source with the source archive's (``benchmarks.reference``), print
the table, write JSON.

Example (from the repository root)::

    python -m benchmarks --sizes 1000,10000,100000 --data ../shared/eval/realtimeqa \\
        --json benchmarks/out/run.json
"""

from __future__ import annotations

import contextlib
import dataclasses
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from benchmarks import report
from benchmarks.child import run_json
from benchmarks.options import Options, parse
from benchmarks.reference import compare as compare_with_reference
from benchmarks.targets import failures, verdicts

_RUN_FAILED = (subprocess.SubprocessError, RuntimeError, ValueError, OSError)


@contextlib.contextmanager
def _workdir(options: Options) -> Iterator[Path]:
    """The folder archives are built in: ``--workdir``, else a temporary one (kept with
    ``--keep``)."""
    if options.workdir:
        folder = Path(options.workdir)
        folder.mkdir(parents=True, exist_ok=True)
        yield folder
    elif options.keep:
        yield Path(tempfile.mkdtemp(prefix="newsbot-bench-"))
    else:
        with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as folder:
            yield Path(folder)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 on success (1 with ``--strict`` when a target fails, 2 when a size,
    or an archive the quality is compared with, could not be run)."""
    argv = sys.argv[1:] if argv is None else argv
    options = parse(argv)
    runs = []
    status = 0
    with _workdir(options) as folder:
        child = dataclasses.replace(options, workdir=str(folder))
        for size in options.sizes:
            try:
                runs.append(
                    run_json("benchmarks.size", child.to_json(), str(size), timeout=4 * 3600)
                )
            except _RUN_FAILED as error:
                print(f"benchmarks: size {size} failed: {error}", file=sys.stderr)
                status = 2
                break
        reference = None
        if status == 0 and options.runs("reference"):
            try:
                reference = compare_with_reference(child, folder, runs)
            except _RUN_FAILED as error:
                print(f"benchmarks: the quality comparison failed: {error}", file=sys.stderr)
                status = 2
        if options.keep:
            print(f"archives kept in {folder}", file=sys.stderr)
    for figures in runs:
        figures["targets"] = verdicts(figures)
    if runs:
        print(report.table(runs))
    if options.json_out:
        Path(options.json_out).parent.mkdir(parents=True, exist_ok=True)
        report.write(options.json_out, report.document(runs, argv, reference))
    if status == 0 and options.strict and failures(runs):
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
