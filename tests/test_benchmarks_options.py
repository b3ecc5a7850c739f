"""The benchmark's command line: the options a run takes, checked before anything is built."""

from __future__ import annotations

import pytest

from benchmarks.options import Options, parse
from benchmarks.scale import Scaler
from bot.search.config import RankConfig


def test_the_kind_of_variant_is_an_option_of_the_run() -> None:
    options = parse(["--variants", "copies"])
    assert Options.from_json(options.to_json()).variants == "copies"
    assert parse([]).variants == "recombined"
    with pytest.raises(SystemExit):
        parse(["--variants", "shuffled"])
    with pytest.raises(ValueError, match="shuffled"):
        Scaler([], seed=1, kind="shuffled")


def test_engine_settings_are_an_option_of_the_run_checked_by_name_and_type() -> None:
    options = parse(["--rank", "article_pool=60, cut_off_word=0.25"])
    assert options.rank == {"article_pool": 60, "cut_off_word": 0.25}
    assert Options.from_json(options.to_json()).rank_config().article_pool == 60
    assert parse([]).rank_config() == RankConfig()
    for wrong in ("no_such_setting=1", "article_pool=6.5", "article_pool"):
        with pytest.raises(SystemExit):
            parse(["--rank", wrong])


def test_more_seeds_for_quality_are_an_option_of_the_run() -> None:
    options = parse(["--seed", "6", "--quality-seeds", "2, 3"])
    assert Options.from_json(options.to_json()).quality_seeds == (2, 3)
    assert parse([]).quality_seeds == ()
    with pytest.raises(SystemExit):
        parse(["--quality-seeds", "two"])
