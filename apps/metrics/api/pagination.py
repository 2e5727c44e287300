"""Pagination of the metric rows: DRF's page-number pages (`count`, `next`, `previous`,
`results`; `?page=N`), without a COUNT query when the first page holds every matching row."""

from django.core.paginator import Page, Paginator
from rest_framework.pagination import PageNumberPagination


class FirstPageCountPaginator(Paginator):
    """Django's Paginator, except that page 1 is read as `per_page + 1` rows: when no more than
    `per_page` come back they are every row, and `count` is their number, not a second query.
    Most API answers (one series, one year of an org metric) are such a single page. Other pages
    and a full first page are counted as usual (`orphans` is not supported: DRF uses none)."""

    def page(self, number) -> Page:
        if str(number) != "1" or self.orphans or not self.allow_empty_first_page:
            return super().page(number)
        rows = list(self.object_list[: self.per_page + 1])
        if len(rows) <= self.per_page:
            self.count = len(rows)  # sets the cached_property: Paginator.count is not queried
        return Page(rows[: self.per_page], 1, self)


class MetricRowPagination(PageNumberPagination):
    """The default page-number pagination (PAGE_SIZE rows a page) with FirstPageCountPaginator."""

    django_paginator_class = FirstPageCountPaginator
