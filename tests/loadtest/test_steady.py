"""The load test's steady state: only what ends after the last person signed in counts."""

from loadtest.steady import SteadyWindow, percentile


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_nearest_rank_percentiles_of_a_hand_counted_list():
    twenty = [float(ms) for ms in range(10, 210, 10)]  # 10, 20, ..., 200
    assert percentile(twenty, 0.50) == 100.0  # the 10th of 20
    assert percentile(twenty, 0.95) == 190.0  # the 19th of 20
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([], 0.95) is None


def test_requests_before_the_last_sign_in_and_sign_ins_are_left_out():
    clock = Clock()
    window = SteadyWindow(people=2, clock=clock)
    window.person_signed_in()
    window.record("dashboard", 900.0, failed=False)  # one person still signing in
    window.person_signed_in()
    clock.now = 104.0
    for ms in (40.0, 60.0, 50.0):
        window.record("dashboard", ms, failed=False)
    window.record("home", 30.0, failed=True)
    window.record("sign in", 800.0, failed=False)

    summary = window.summary()

    assert summary["seconds"] == 4.0
    assert summary["pages"]["dashboard"] == {
        "requests": 3,
        "failures": 0,
        "p50_ms": 50.0,
        "p95_ms": 60.0,
        "requests_per_s": 0.8,  # 3 in 4 s
    }
    assert summary["pages"]["home"]["failures"] == 1
    assert summary["pages"]["Aggregated"]["requests"] == 4
    assert summary["pages"]["Aggregated"]["requests_per_s"] == 1.0
    assert "sign in" not in summary["pages"]


def test_a_window_that_never_started_reports_nothing():
    window = SteadyWindow(people=3, clock=Clock())
    window.person_signed_in()
    window.record("dashboard", 40.0, failed=False)
    assert window.summary() == {
        "seconds": 0.0,
        "pages": {
            "Aggregated": {
                "requests": 0,
                "failures": 0,
                "p50_ms": None,
                "p95_ms": None,
                "requests_per_s": 0.0,
            }
        },
    }
