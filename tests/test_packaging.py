"""The project's own files stay consistent: packages listed for install, lint and format clean."""

from __future__ import annotations

import shutil
import subprocess
import tomllib

import pytest

from tests.conftest import REPO


def test_every_package_folder_is_listed_for_install() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    # Every folder: the migrations, SQL files only, are installed as a package of data.
    on_disk = {
        ".".join(folder.relative_to(REPO).parts)
        for folder in [REPO / "bot", *(REPO / "bot").rglob("*")]
        if folder.is_dir() and folder.name != "__pycache__"
    }
    assert on_disk | {"bot.bundled"} == set(config["packages"])
    assert config["package-dir"]["bot.bundled"] == "data"


@pytest.mark.parametrize("command", [["check", "."], ["format", "--check", "."]])
def test_ruff_is_clean(command: list[str]) -> None:
    ruff = shutil.which("ruff") or str(REPO / ".venv" / "bin" / "ruff")
    result = subprocess.run(
        [ruff, *command], cwd=REPO, capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_declared_python_is_the_oldest_supported() -> None:
    # The code needs 3.11 (datetime.UTC, tomllib); pip must not install it on an older one.
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"


def test_the_readme_invite_asks_for_exactly_the_permissions_it_lists() -> None:
    import discord

    listed = discord.Permissions(
        view_channel=True,
        send_messages=True,
        send_messages_in_threads=True,
        embed_links=True,
        read_message_history=True,
    )
    readme = (REPO / "README.md").read_text()
    assert f"permissions integer `{listed.value}`" in readme
    assert f"permissions={listed.value}`" in readme
