"""The mixed-load benchmark's bookkeeping (bench/landmix.py): what it adds up from the app's
Server-Timing header, and that a failed request is counted as an error, not lost with its thread."""

from __future__ import annotations

import threading

from bench.landmix import Stats, server_timing


class _Answer:
    """What the benchmark reads of an http.client response: its headers."""

    def __init__(self, timing: str | None) -> None:
        self.headers = {"Server-Timing": timing} if timing is not None else {}

    def getheader(self, name: str, default=None):
        return self.headers.get(name, default)


HIT = 'app;dur=12.5;desc="Antwortzeit", cpu;dur=6.0;desc="Rechenzeit"'
MADE = 'app;dur=40.0;desc="Antwortzeit", cpu;dur=25.0;desc="Rechenzeit", miss;desc="1 neu erstellt"'


def test_server_timing_is_read_as_metric_and_parameters():
    assert server_timing(_Answer(MADE)) == {
        "app": 'dur=40.0;desc="Antwortzeit"',
        "cpu": 'dur=25.0;desc="Rechenzeit"',
        "miss": 'desc="1 neu erstellt"',
    }
    assert server_timing(_Answer(None)) == {}


def test_a_request_costs_what_its_answers_say_and_is_made_anew_if_one_was():
    stats = Stats()
    stats.record("svg", 0.02, _Answer(HIT))
    stats.record("write", 0.05, _Answer(HIT), _Answer(MADE))  # GET and PATCH of one write
    stats.record("svg", 0.01, _Answer(None))  # an answer without the header costs nothing known
    assert stats.times == {"svg": [0.02, 0.01], "write": [0.05]}
    (hit, hit_made), (unknown, unknown_made) = stats.costs["svg"]
    assert (round(hit, 4), hit_made, unknown, unknown_made) == (0.006, False, 0.0, False)
    [(write, write_made)] = stats.costs["write"]
    assert (round(write, 4), write_made) == (0.031, True)


def test_errors_of_several_readers_are_counted():
    stats = Stats()
    readers = [threading.Thread(target=stats.error, args=(f"/strategien/{i}: 500",)) for i in range(8)]
    for t in readers:
        t.start()
    for t in readers:
        t.join()
    assert sorted(stats.errors) == sorted(f"/strategien/{i}: 500" for i in range(8))
