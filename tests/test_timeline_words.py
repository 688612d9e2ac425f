"""Dates said as honestly as the data knows them, and the other phrases the timeline writes."""

from __future__ import annotations

import pytest

from diplograph.server.timeline.words import figure_in_words, humanize, interval_in_words, parse_date


@pytest.mark.parametrize("begin, end, granularity, words", [
    ("2024-11-10", "2024-11-10", "day", "10 Nov 2024"),
    ("2024-11-11", "2024-11-12", "days", "11–12 Nov 2024"),
    ("2024-10-30", "2024-11-02", "days", "30 Oct – 2 Nov 2024"),
    ("2024-12-30", "2025-01-02", "days", "30 Dec 2024 – 2 Jan 2025"),
    ("2024-11-03", "2024-11-09", "week", "week of 3–9 Nov 2024"),
    ("2024-10-01", "2024-10-31", "month", "October 2024"),
    ("2024-10-01", "2024-11-30", "month", "October – November 2024"),
    ("2006-01-01", "2006-12-31", "year", "2006"),
    ("2023-10-01", "9999-12-31", "month", "since October 2023"),
    ("2024-10-01", "9999-12-31", "day", "since 1 Oct 2024"),
    ("0001-01-01", "2024-11-13", "vague", "until 13 Nov 2024"),
    ("0001-01-01", "9999-12-31", "vague", "date unknown"),
    ("2024-11-01", "2024-11-13", "vague", "between 1 Nov 2024 and 13 Nov 2024"),
    ("2024-10-01", "2024-10-01", "vague", "around 1 Oct 2024"),
])
def test_an_interval_is_said_no_more_precisely_than_its_granularity(begin, end, granularity, words):
    assert interval_in_words(begin, end, granularity) == words


def test_a_year_precise_date_never_shows_as_the_first_of_january():
    assert "1 Jan" not in interval_in_words("2006-01-01", "2006-12-31", "year")


def test_class_names_and_figures_read_as_words():
    assert humanize("TermOfOffice") == "term of office"
    assert figure_in_words("3300", "MoreThan", "people", "Killed") == "more than 3,300 people killed"
    assert figure_in_words("60", None, "days", "Duration") == "60 days"


@pytest.mark.parametrize("text, is_end, day", [
    ("2024", False, "2024-01-01"), ("2024", True, "2024-12-31"), ("2024-02", True, "2024-02-29"),
    ("2024-11", False, "2024-11-01"), ("2024-11-05", True, "2024-11-05")])
def test_a_date_parameter_stands_for_its_first_or_last_day(text, is_end, day):
    assert parse_date(text, end=is_end) == day


@pytest.mark.parametrize("text", ["2024-13", "24-11-01", "2024-02-30", "yesterday", "2024-1-1"])
def test_a_malformed_date_parameter_is_refused(text):
    with pytest.raises(ValueError):
        parse_date(text, end=False)
