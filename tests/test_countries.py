"""Country names in letters: the standard Kazakh and Russian spelling for the countries supporters
write from, whatever CLDR's data says (templates/countries.toml overrides it)."""

from __future__ import annotations

import pytest
from conftest import LETTER_DATE, Runner, stderr_of, stdout_of

from complainer.letter.countries import resolve_country
from complainer.letter.locales import country_name

# ISO code: (Russian, Kazakh), in the spelling of each language's official usage (the Foreign
# Ministries of Kazakhstan and Russia, legislation, the press). The Kazakh names follow the
# Cyrillic Kazakh orthography: Австрия, not CLDR's «Аустрия»; Нидерланд without the Russian
# plural ending, as the Kazakh editor's review (item 2) confirms.
STANDARD_NAMES: dict[str, tuple[str, str]] = {
    "DE": ("Германия", "Германия"),
    "FR": ("Франция", "Франция"),
    "GB": ("Великобритания", "Ұлыбритания"),
    "US": ("Соединённые Штаты Америки", "Америка Құрама Штаттары"),
    "NL": ("Нидерланды", "Нидерланд"),
    "BE": ("Бельгия", "Бельгия"),
    "LU": ("Люксембург", "Люксембург"),
    "AT": ("Австрия", "Австрия"),
    "CH": ("Швейцария", "Швейцария"),
    "IT": ("Италия", "Италия"),
    "ES": ("Испания", "Испания"),
    "PT": ("Португалия", "Португалия"),
    "IE": ("Ирландия", "Ирландия"),
    "DK": ("Дания", "Дания"),
    "SE": ("Швеция", "Швеция"),
    "NO": ("Норвегия", "Норвегия"),
    "FI": ("Финляндия", "Финляндия"),
    "IS": ("Исландия", "Исландия"),
    "PL": ("Польша", "Польша"),
    "CZ": ("Чехия", "Чехия"),
    "SK": ("Словакия", "Словакия"),
    "HU": ("Венгрия", "Венгрия"),
    "SI": ("Словения", "Словения"),
    "HR": ("Хорватия", "Хорватия"),
    "RS": ("Сербия", "Сербия"),
    "GR": ("Греция", "Грекия"),
    "CY": ("Кипр", "Кипр"),
    "MT": ("Мальта", "Мальта"),
    "BG": ("Болгария", "Болгария"),
    "RO": ("Румыния", "Румыния"),
    "MD": ("Молдова", "Молдова"),
    "UA": ("Украина", "Украина"),
    "BY": ("Беларусь", "Беларусь"),
    "LT": ("Литва", "Литва"),
    "LV": ("Латвия", "Латвия"),
    "EE": ("Эстония", "Эстония"),
    "RU": ("Россия", "Ресей"),
    "GE": ("Грузия", "Грузия"),
    "AM": ("Армения", "Армения"),
    "AZ": ("Азербайджан", "Әзірбайжан"),
    "TR": ("Турция", "Түркия"),
    "IL": ("Израиль", "Израиль"),
    "CA": ("Канада", "Канада"),
    "MX": ("Мексика", "Мексика"),
    "BR": ("Бразилия", "Бразилия"),
    "AR": ("Аргентина", "Аргентина"),
    "CL": ("Чили", "Чили"),
    "AU": ("Австралия", "Австралия"),
    "NZ": ("Новая Зеландия", "Жаңа Зеландия"),
    "JP": ("Япония", "Жапония"),
    "KR": ("Республика Корея", "Оңтүстік Корея"),
    "CN": ("Китай", "Қытай"),
    "HK": ("Гонконг", "Гонконг"),
    "TW": ("Тайвань", "Тайвань"),
    "IN": ("Индия", "Үндістан"),
    "SG": ("Сингапур", "Сингапур"),
    "PH": ("Филиппины", "Филиппин"),
    "TH": ("Таиланд", "Таиланд"),
    "ZA": ("Южно-Африканская Республика", "Оңтүстік Африка Республикасы"),
    "UZ": ("Узбекистан", "Өзбекстан"),
    "KG": ("Кыргызстан", "Қырғызстан"),
    "TJ": ("Таджикистан", "Тәжікстан"),
    "TM": ("Туркменистан", "Түрікменстан"),
    "MN": ("Монголия", "Моңғолия"),
    "KZ": ("Казахстан", "Қазақстан"),
    "AE": ("Объединённые Арабские Эмираты", "Біріккен Араб Әмірліктері"),
    "EG": ("Египет", "Мысыр"),
    "CD": ("Демократическая Республика Конго", "Конго Демократиялық Республикасы"),
    "CG": ("Республика Конго", "Конго Республикасы"),
}


def test_at_least_sixty_countries_are_pinned() -> None:
    assert len(STANDARD_NAMES) >= 60


@pytest.mark.parametrize("code", sorted(STANDARD_NAMES))
def test_country_names_are_standard_in_russian_and_kazakh(code: str) -> None:
    ru, kk = STANDARD_NAMES[code]
    assert country_name(code, "ru") == ru
    assert country_name(code, "kk") == kk


@pytest.mark.parametrize("code", sorted(STANDARD_NAMES))
def test_a_standard_name_typed_by_the_writer_resolves(code: str) -> None:
    ru, kk = STANDARD_NAMES[code]
    assert resolve_country(ru) == code
    assert resolve_country(kk) == code


def test_cldr_spelling_is_still_understood_as_input() -> None:
    assert resolve_country("Аустрия") == "AT"


def test_an_australian_writer_gets_the_standard_kazakh_name(run: Runner) -> None:
    result = run(
        "draft", "--name", "Jack Brown", "--country", "AU", "--no-input",
        "--date", LETTER_DATE, "--lang", "kk",
    )  # fmt: skip
    assert result.returncode == 0, stderr_of(result)
    body = stdout_of(result)
    assert "(Австралия)" in body
    assert "Аустралия" not in body
