"""The review pack's tests (moved here with the page) stand on the ground of the review tests:
North Sales' KPI red in FY2026 Q1, on a fixed day in Q2."""

from tests.reviews.conftest import clock, q1, red_kpi

__all__ = ["clock", "q1", "red_kpi"]
