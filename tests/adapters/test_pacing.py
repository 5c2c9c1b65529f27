"""Client-side pacing against a fake clock (no real sleeping)."""

from sync.adapters.pacing import RollingWindowPacer, hubspot_limits_from_headers


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_requests_beyond_the_limit_wait_for_the_window_to_roll() -> None:
    clock = FakeClock()
    pacer = RollingWindowPacer(3, 10.0, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        pacer.acquire()
    assert clock.slept == []
    clock.now = 4.0
    pacer.acquire()  # the first start (t=0) leaves the window at t=10
    assert clock.slept == [6.0] and pacer.waited == 6.0


def test_server_reported_limits_tighten_the_window() -> None:
    clock = FakeClock()
    pacer = RollingWindowPacer(190, 10.0, clock=clock, sleep=clock.sleep)
    pacer.observe(limit=100, remaining=2)  # other apps used 98 of 100 already
    pacer.acquire()
    pacer.acquire()
    assert clock.slept == []
    pacer.acquire()
    assert clock.slept == [10.0]


def test_hubspot_headers_are_read_case_insensitively() -> None:
    assert hubspot_limits_from_headers({"X-HubSpot-RateLimit-Max": "190",
                                        "x-hubspot-ratelimit-remaining": "42"}) == (190, 42)
    assert hubspot_limits_from_headers({"X-HubSpot-RateLimit-Max": "n/a"}) == (None, None)
