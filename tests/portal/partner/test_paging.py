"""Which rows a page of a long table shows and which page links it offers
(sync/portal/paging.py): literals counted by hand, 100 rows a page."""

from __future__ import annotations

import pytest

from sync.portal.paging import PageNumberError, Paging, page_number


@pytest.mark.parametrize(("text", "number"), [(None, 1), ("", 1), ("  ", 1), ("1", 1),
                                              ("2", 2), (" 7 ", 7), ("0012", 12)])
def test_a_page_number_is_a_whole_number_from_one(text: str | None, number: int) -> None:
    assert page_number(text) == number


@pytest.mark.parametrize("text", ["0", "-1", "1.5", "two", "1e3", "²", "٣", "+2"])
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(PageNumberError):
        page_number(text)


def test_the_boundaries_of_101_rows() -> None:
    first, second, third = Paging(1, 101), Paging(2, 101), Paging(3, 101)
    assert (first.pages, first.offset, first.first_row, first.last_row) == (2, 0, 1, 100)
    assert (second.offset, second.first_row, second.last_row) == (100, 101, 101)
    assert (first.exists, second.exists, third.exists) == (True, True, False)


def test_exactly_100_rows_fit_on_one_page_and_none_is_one_empty_page() -> None:
    assert (Paging(1, 100).pages, Paging(2, 100).exists) == (1, False)
    empty = Paging(1, 0)
    assert (empty.pages, empty.exists, empty.first_row, empty.last_row) == (1, True, 0, 0)


def test_the_links_around_the_current_page() -> None:
    # 2,000 rows: 20 pages; two either side of the current one, the first and the last.
    assert Paging(1, 2000).links == (1, 2, 3, None, 20)
    assert Paging(6, 2000).links == (1, None, 4, 5, 6, 7, 8, None, 20)
    assert Paging(4, 2000).links == (1, 2, 3, 4, 5, 6, None, 20)
    assert Paging(20, 2000).links == (1, None, 18, 19, 20)
    assert Paging(1, 101).links == (1, 2)
