"""The paired comparison of answer quality with the source archive: what the benchmark reports
as lost, gained and the difference's interval."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import reference
from benchmarks.options import Options
from benchmarks.quality import Judged, compared, load, outcomes_path, paired, save


def _judged(question_id: str, right: bool) -> Judged:
    return Judged(question_id, right, right, right, abstained=False)


def test_the_difference_counts_questions_lost_and_gained() -> None:
    figures = paired([True, True, False, False, True], [[True, False, True, False, False]])
    assert (figures["lost"], figures["gained"]) == (2, 1)
    assert figures["reference"] == 0.6 and figures["value"] == 0.4
    assert figures["difference"] == -0.2
    low, high = figures["ci95"]
    assert low <= -0.2 <= high


def test_a_loss_on_many_questions_has_an_interval_below_zero() -> None:
    reference = [True] * 60 + [False] * 40
    other = [False] * 20 + [True] * 40 + [False] * 40  # 20 lost, none gained
    assert paired(reference, [other])["ci95"][1] < 0


def test_the_same_answers_have_no_difference_and_no_spread() -> None:
    figures = paired([True, False, True], [[True, False, True]])
    assert figures["difference"] == 0 and figures["ci95"] == [0.0, 0.0]


def test_archives_are_compared_on_the_questions_both_were_judged_on(tmp_path: Path) -> None:
    reference = {"dev": [_judged("a", True), _judged("b", True)], "test": [_judged("t", True)]}
    # Another order, one question the reference was not judged on, one it lost.
    other = {
        "dev": [_judged("c", True), _judged("b", True), _judged("a", False)],
        "test": [_judged("t", True)],
    }
    save(tmp_path / "q.json", other)
    result = compared(reference, [load(tmp_path / "q.json")])
    assert result["dev"]["questions"] == 2 and result["dev"]["mc_at_5"]["lost"] == 1
    assert result["test"]["answer_recall_at_3"]["difference"] == 0
    assert result["all"]["questions"] == 3
    assert result["all"]["answer_recall_at_3"]["difference"] == round(-1 / 3, 4)


def test_archives_drawn_with_several_seeds_are_pooled_question_by_question() -> None:
    reference = [True, True, False, False]
    # The first draw loses question 0; the second loses it too and gains question 2.
    draws = [[False, True, False, False], [False, True, True, False]]
    figures = paired(reference, draws)
    assert figures["value"] == 0.375 and figures["reference"] == 0.5
    assert figures["difference"] == round((-1 + 0.5) / 4, 4)  # the draws' mean, per question
    assert (figures["lost"], figures["gained"]) == (2, 1)  # summed over the draws
    # A question every draw loses weighs as much as one, not as two.
    assert paired([True, False], [[False, False], [False, False]])["difference"] == -0.5


def test_pooled_archives_are_compared_on_the_questions_all_were_judged_on() -> None:
    reference = {"dev": [_judged("a", True), _judged("b", True)]}
    first = {"dev": [_judged("a", False), _judged("b", True)]}
    second = {"dev": [_judged("b", False)]}  # never judged on "a"
    result = compared(reference, [first, second])
    assert result["dev"]["questions"] == result["all"]["questions"] == 1
    assert result["all"]["mc_at_5"]["difference"] == -0.5


@pytest.mark.parametrize("keep", [False, True])
def test_another_draws_archive_is_deleted_once_judged_unless_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep: bool
) -> None:
    judged = {"dev": [_judged("a", True), _judged("b", False)], "test": [_judged("t", True)]}

    def build_and_judge(options: Options, folder: Path, size: int) -> dict[str, object]:
        """Stands in for the child process (the smoke test runs the real one, with --keep)."""
        assert (options.seed, folder, size) == (9, tmp_path / "seed-9", 1000)
        for suffix in ("", "-wal", "-shm"):
            (folder / f"archive-{size}.db{suffix}").write_bytes(b"SQLite")
        save(outcomes_path(folder, size), judged)
        return {}

    monkeypatch.setattr(reference, "_judged_only", build_and_judge)
    assert reference._other_draw(Options(keep=keep), tmp_path, 1000, 9) == judged
    archive = ["archive-1000.db", "archive-1000.db-shm", "archive-1000.db-wal"]
    left = sorted(path.name for path in (tmp_path / "seed-9").iterdir())
    assert left == [*(archive if keep else []), "quality-1000.json"]
