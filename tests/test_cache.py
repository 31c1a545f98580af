"""The cache of parsed and compiled campaign files (complainer.cache): never stale, never trusted
without its key, never holding what a person wrote, and off when asked."""

from __future__ import annotations

import os
import pickle
import re
import shutil
from pathlib import Path

import pytest
from conftest import LETTER_DATE, Runner, stderr_of, stdout_of

from complainer import cache
from complainer.campaigns.model import load_campaign
from complainer.errors import CampaignError

BUILTIN = Path(__file__).resolve().parent.parent / "templates" / "campaigns"
WRITER = ["--name", "Zebulon Quixote", "--country", "DE", "--no-input", "--date", LETTER_DATE]


def user_campaign(tmp_path: Path) -> Path:
    folder = tmp_path / "user" / "my-campaign"
    shutil.copytree(BUILTIN / "kz-propaganda-law-2025", folder)
    toml = folder / "campaign.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('id = "kz-propaganda-law-2025"', 'id = "my-campaign"', 1), "utf-8")
    return folder


def entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.pickle") if p.is_file())


def test_an_edited_campaign_is_never_served_from_the_cache(run: Runner, tmp_path: Path) -> None:
    folder = user_campaign(tmp_path)
    args = [
        "draft",
        "--campaigns-dir",
        str(folder.parent),
        "-c",
        "my-campaign",
        *WRITER,
        "--lang",
        "en",
    ]
    first = run(*args)
    assert first.returncode == 0, stderr_of(first)
    # The layout and a text both change; the next letter must show both changes.
    layout = folder / "en" / "ministry.j2"
    source = layout.read_text(encoding="utf-8")
    block = re.search(r"\{%-? *block [^%]*%\}", source)
    assert block, "the layout keeps its text in {% block %} tags"
    edited = source[: block.end()] + "EDITED LAYOUT\n" + source[block.end() :]
    layout.write_text(edited, encoding="utf-8")
    title = "Ministry of Culture and Information of the Republic of Kazakhstan"
    assert title in stdout_of(first)
    for texts in (folder / "en").glob("*.toml"):
        texts.write_text(
            texts.read_text(encoding="utf-8").replace(title, "EDITED MINISTRY"), "utf-8"
        )
    second = run(*args)
    assert second.returncode == 0, stderr_of(second)
    assert "EDITED LAYOUT" in stdout_of(second) and "EDITED LAYOUT" not in stdout_of(first)
    assert "EDITED MINISTRY" in stdout_of(second) and title not in stdout_of(second)


def test_damaged_entries_are_ignored(run: Runner, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    env = {"COMPLAINER_CACHE_DIR": str(folder)}
    args = ["draft", *WRITER, "--lang", "ru"]
    first = run(*args, env=env)
    assert first.returncode == 0 and entries(folder)
    for path in entries(folder):
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2] + b"garbage")
    damaged = run(*args, env=env)
    assert (damaged.returncode, damaged.stdout, damaged.stderr) == (0, first.stdout, first.stderr)


def test_no_cache_writes_nothing(run: Runner, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    env = {"COMPLAINER_CACHE_DIR": str(folder), "COMPLAINER_NO_CACHE": "1"}
    result = run("draft", *WRITER, "--lang", "kk", env=env)
    assert result.returncode == 0, stderr_of(result)
    assert not folder.exists()
    cached = run("draft", *WRITER, "--lang", "kk", env={"COMPLAINER_CACHE_DIR": str(folder)})
    assert cached.stdout == result.stdout and entries(folder)


def test_the_cache_holds_nothing_a_person_wrote(run: Runner, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    env = {"COMPLAINER_CACHE_DIR": str(folder)}
    result = run("draft", *WRITER, "--lang", "en", "--city", "Xanadu-Upon-Tyne", "--note",
                 "My very own private paragraph.", "--format", "eml", "--email", "zq@example.org",
                 env=env)  # fmt: skip
    assert result.returncode == 0, stderr_of(result)
    assert entries(folder)
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in (b"Zebulon", b"Quixote", b"Xanadu", b"private paragraph", b"zq@example"):
                assert secret not in data, (path, secret)


class Payload:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch pwned",))


def test_an_entry_is_data_never_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    maker = str(tmp_path / "maker.py")
    Path(maker).write_text("# the code that makes the entries\n", encoding="utf-8")
    cache.store("toml", b"source", {"a": [1, "x"]}, made_by=maker)
    assert cache.load("toml", b"source", made_by=maker) == {"a": [1, "x"]}
    assert cache.load("toml", b"other source", made_by=maker) is None
    [path] = entries(tmp_path / "cache")
    # A forged entry with the right key still may not run anything when it is read.
    header = path.read_bytes()[: len(cache._FORMAT) + 32]
    valid = path.read_bytes()
    path.write_bytes(header + pickle.dumps(Payload()))
    assert cache.load("toml", b"source", made_by=maker) is None
    assert not (tmp_path / "pwned").exists()
    # An entry made by other code (even under the same version number) is not this one's.
    path.write_bytes(valid)
    other = tmp_path / "other_maker.py"
    other.write_text("# changed code\n", encoding="utf-8")
    assert cache.load("toml", b"source", made_by=str(other)) is None
    # Nor one made for another version.
    monkeypatch.setattr(cache, "__version__", "0.0.0-other")
    assert cache.load("toml", b"source", made_by=maker) is None


def test_interface_words_from_the_cache_are_those_the_texts_give(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The formal-appeal warning is worded in the interface language: a letter in another
    language takes two phrases from that language's texts. They come from the cache (keyed by
    the language's code and its files' names and bytes) without parsing those texts, are the
    words a full read gives, and follow every edit of the language's files."""
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    folder = user_campaign(tmp_path)

    def words(code: str) -> tuple[dict[str, tuple[str, str] | None], bool]:
        """Each target's words in `code`, and whether getting them parsed the texts."""
        campaign = load_campaign(folder, all_languages=False)
        found = {tid: campaign.appeal_words(code, tid) for tid in campaign.targets}
        return found, code in campaign.texts._read

    for code in ("en", "ru", "kk"):
        full = load_campaign(folder, all_languages=False).texts.read(code)
        expected = {tid: full.appeal_words(tid) for tid in full.target_ids()}
        assert words(code) == (expected, True)  # the first time: parsed, and stored
        assert words(code) == (expected, False)  # then from the cache
    assert words("ru")[0]["ministry"] is not None  # the built-in campaign words its warning
    formal = folder / "ru" / "formal.toml"
    formal.write_text(
        formal.read_text(encoding="utf-8").replace("оставить его без рассмотрения", "ИЗМЕНЕНО"),
        encoding="utf-8",
    )
    edited, parsed = words("ru")
    assert parsed and edited["ministry"] is not None and "ИЗМЕНЕНО" in edited["ministry"][1]
    # A new file is part of what they are derived from: what a full read finds in it is found.
    (folder / "ru" / "zz-extra.toml").write_text(
        '[targets.ministry.formal_appeal]\nrule = "r"\nconsequence = "c"\n', encoding="utf-8"
    )
    with pytest.raises(CampaignError, match="is also defined in"):
        words("ru")
