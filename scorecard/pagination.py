"""API pagination. Its own module: DRF imports it while `rest_framework.viewsets` loads, so
it must not import viewsets itself."""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000
