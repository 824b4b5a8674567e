"""The roadmap pictures as a reader sees them: nothing overlaps or is cut off, long titles wrap,
the figure grows with the rows; PNGs of each go to test-artifacts/ to be looked at."""

from __future__ import annotations

import sys
from datetime import date

import pytest
from conftest import DATA, ROOT, STEINFURT
from matplotlib.backends.backend_agg import FigureCanvasAgg

from planner.charts.common import render
from planner.charts.depgraph import dependency_chart
from planner.charts.gantt import OVERDUE_HATCH, gantt_chart
from planner.charts.matrix import matrix_chart
from planner.domain.months import Month
from planner.domain.schedule import analyse
from planner.domain.strategy import Measure, Status, Strategy
from planner.formats.strategy_file import load_strategy

if str(ROOT) not in sys.path:  # bench/ generates the large strategies
    sys.path.insert(0, str(ROOT))
from bench.roadmap import generated_strategy  # noqa: E402

ARTIFACTS = ROOT / "test-artifacts"
TODAY = date(2025, 11, 1)


def boxes(fig, prefix: str):
    """Pixel boxes of the texts whose gid starts with prefix, top to bottom."""
    renderer = FigureCanvasAgg(fig).get_renderer()
    found = [
        (t.get_gid(), t.get_window_extent(renderer))
        for t in fig.findobj()
        if getattr(t, "get_gid", None) and (t.get_gid() or "").startswith(prefix)
    ]
    return sorted(found, key=lambda item: -item[1].y1)


def assert_readable(fig) -> None:
    """Row labels do not overlap one another, stay left of the chart and inside the figure."""
    labels = boxes(fig, "zeile-")
    assert labels, "no row labels found"
    width, height = fig.bbox.width, fig.bbox.height
    chart_left = fig.axes[0].get_window_extent().x0
    for gid, box in labels:
        assert box.x0 >= 0 and box.y0 >= 0 and box.y1 <= height, f"{gid} is cut off"
        assert box.x1 <= chart_left, f"{gid} runs into the chart"
    for (a, upper), (b, lower) in zip(labels, labels[1:], strict=False):
        assert lower.y1 <= upper.y0 + 0.5, f"{a} and {b} overlap"
    assert width > 0


def assert_inside(fig) -> None:
    """Every text of the figure lies within it: nothing is cut off at an edge."""
    from matplotlib.text import Text

    renderer = FigureCanvasAgg(fig).get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    for text in fig.findobj(Text):
        if not text.get_visible() or not text.get_text().strip():
            continue
        box = text.get_window_extent(renderer)
        assert box.x0 >= -0.5 and box.x1 <= width + 0.5, f"cut off at the side: {text.get_text()!r}"
        assert box.y0 >= -0.5 and box.y1 <= height + 0.5, f"cut off at top or bottom: {text.get_text()!r}"


def save(name: str, data: bytes) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{name}.png").write_bytes(data)


@pytest.mark.parametrize("n", [60, 300])
def test_large_generated_fahrplan_is_readable_and_grows_with_its_rows(n):
    s = generated_strategy(n, n * 2 // 3, seed=n)
    analysis = analyse(s)
    fig = gantt_chart(s, analysis, today=TODAY, dependencies=True, critical=True)
    assert_readable(fig)
    assert_inside(fig)
    rows = len(boxes(fig, "zeile-"))
    assert rows == sum(1 for m in s.measures if m.is_planned)
    # every row keeps its height: about 0.29 inch a row plus headers, title and axis
    assert fig.get_figheight() > rows * 0.29
    save(f"roadmap-gantt-generiert-{n}", render(fig, "png"))


def test_long_titles_wrap_onto_a_second_line_instead_of_being_cut():
    title = "Programmierung einer Schnittstelle (Fachsoftware / Navo-Portal) zur Herstellung der Bi-Direktionalität"
    s = Strategy(
        "GA Test",
        "Test",
        window_start=Month(2024, 1),
        window_end=Month(2025, 12),
        measures=[
            Measure("lang", title, "Software, Daten, Interoperabilität", start=Month(2024, 1), end=Month(2024, 6)),
            Measure("kurz", "Kurz", "Software, Daten, Interoperabilität", start=Month(2024, 3), end=Month(2024, 4)),
        ],
    )
    fig = gantt_chart(s, today=TODAY)
    assert_readable(fig)
    (label,) = [t for t in fig.findobj() if getattr(t, "get_gid", None) and t.get_gid() == "zeile-lang"]
    assert label.get_text().replace("\n", " ") == title
    svg = render(fig, "svg").decode()
    assert "Bi-Direktionalität" in svg and "Programmierung einer Schnittstelle" in svg


def test_sample_and_peine_fahrplan_with_baseline_are_readable():
    sample = load_strategy((DATA / "sample.yaml").read_text(encoding="utf-8"))
    frozen = {"awareness": (Month(2024, 1), Month(2024, 3)), "konzept": (Month(2024, 1), Month(2024, 2))}
    fig = gantt_chart(sample, today=date(2024, 3, 15), critical=True, dependencies=True, baseline=frozen)
    assert_readable(fig)
    save("roadmap-gantt-sample-basisplan", render(fig, "png"))
    peine = load_strategy((ROOT / "strategies" / "peine-2024.yaml").read_text(encoding="utf-8"))
    fig = gantt_chart(peine, today=date(2025, 3, 15), critical=True)
    assert_readable(fig)
    save("roadmap-gantt-peine", render(fig, "png"))


def test_matrix_and_dependency_graph_pictures_render_for_a_large_strategy():
    s = generated_strategy(60, 40, seed=60)
    for name, fig in (("bewertung", matrix_chart(s)), ("abhaengigkeiten", dependency_chart(s, analyse(s)))):
        assert_inside(fig)
        data = render(fig, "png")
        assert data.startswith(b"\x89PNG")
        save(f"roadmap-{name}-generiert-60", data)


def test_completed_and_backlog_measures_in_the_generated_strategy():
    # the bench input has every kind the chart distinguishes
    s = generated_strategy(60, 40, seed=60)
    kinds = {m.status for m in s.measures}
    assert {Status.BACKLOG, Status.ABGESCHLOSSEN, Status.GEPLANT} <= kinds
    assert any(m.open_ended for m in s.measures)


def test_a_link_that_skips_a_wave_runs_between_the_boxes_not_behind_them():
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    def dated(key, deps=()):
        return Measure(
            key, key.upper(), "Mitarbeitende", start=Month(2024, 1), end=Month(2024, 2), depends_on=list(deps)
        )

    # a -> b -> c and a -> c: the straight line a -> c would cross b, which sits level with a and c
    s = Strategy("GA", "Test", measures=[dated("a"), dated("b", ["a"]), dated("c", ["a", "b"])])
    fig = dependency_chart(s)
    ax = fig.axes[0]
    boxes = [p.get_bbox() for p in ax.patches if isinstance(p, FancyBboxPatch)]
    (edge,) = [p for p in ax.patches if p.get_gid() == "kante-a-c"]
    assert isinstance(edge, FancyArrowPatch)
    vertices = edge.get_path().vertices
    start, end = vertices[0], vertices[-1]
    inner = [v for v in vertices if min(abs(v[0] - start[0]), abs(v[0] - end[0])) > 0.3]  # the part between
    assert inner, "the link has no points between its ends"
    for x, y in inner:
        assert not any(b.x0 < x < b.x1 and b.y0 < y < b.y1 for b in boxes), (x, y)


def test_a_very_long_name_is_shortened_not_cut_off_in_every_picture():
    s = generated_strategy(12, 8, seed=12)
    s.organisation = "Gesundheitsamt des Landkreises " + "Mittelstadt-Nord und Umgebung " * 6
    s.title = "Digitalisierungsstrategie " + "mit einem sehr langen Titel " * 6
    for fig in (gantt_chart(s, today=TODAY, critical=True), matrix_chart(s), dependency_chart(s)):
        assert_inside(fig)


def test_steinfurt_pictures_are_inside_their_figures():
    path = ROOT / "strategies" / "steinfurt-2023.yaml"
    if not path.exists():
        pytest.skip("strategies/steinfurt-2023.yaml is not there yet")
    s = load_strategy(path.read_text(encoding="utf-8"))
    for name, fig in (
        ("gantt", gantt_chart(s, today=date(2023, 6, 15), critical=True, dependencies=True)),
        ("bewertung", matrix_chart(s)),
        ("abhaengigkeiten", dependency_chart(s)),
    ):
        assert_inside(fig)
        save(f"roadmap-{name}-steinfurt", render(fig, "png"))


def test_today_after_the_plan_period_widens_the_chart_and_draws_the_line():
    sample = load_strategy((DATA / "sample.yaml").read_text(encoding="utf-8"))
    inside = render(gantt_chart(sample, today=date(2024, 3, 15)), "svg").decode()
    assert "heute 15.03.2024" in inside and "außerhalb des Planungszeitraums" not in inside
    later = render(gantt_chart(sample, today=date(2026, 5, 2)), "svg").decode()
    assert "heute 02.05.2026" in later  # the label under the line
    assert "Planungszeitraum 01/2024 – 12/2025 (dargestellt 01/2024 – 06/2026)" in later
    assert "außerhalb des Planungszeitraums" in later  # legend of the shaded months


def _hex(colour) -> str:
    from matplotlib.colors import to_hex

    return to_hex(colour)


def test_steinfurt_at_2026_11_30_shows_today_and_extends_overdue_bars():
    from matplotlib.collections import PolyCollection

    from planner.domain.catalogue import catalogue
    from planner.domain.roadmap_view import roadmap_view

    s = load_strategy(STEINFURT.read_text(encoding="utf-8"))
    today = date(2026, 11, 30)
    view = roadmap_view(s, today)
    # plan 01/2023–12/2024; Inventur Hardware starts 11/2022, today is 11/2026: whole quarters around both
    assert (str(view.plan_start), str(view.plan_end)) == ("2023-01", "2024-12")
    assert (str(view.window_start), str(view.window_end)) == ("2022-10", "2026-12")
    assert view.outside == [] and len(view.bars) == 19  # every dated measure is drawn
    fig = gantt_chart(s, today=today)
    ax = fig.axes[0]
    assert ax.get_xlim() == (0, view.months) == (0, 51)
    # the today line: 11/2026 is month 49 of the window, the 30th of 30 days
    today_x = 49 + 29 / 30
    assert any(list(line.get_xdata()) == [today_x, today_x] for line in ax.lines)
    # 17 measures past their planned end, not finished: each bar goes on to today, hatched
    extensions = [p for p in ax.patches if p.get_hatch() == OVERDUE_HATCH]
    assert len(extensions) == 17
    kommunikation = next(b for b in view.bars if b.measure.key == "kommunikationskonzept")
    ext = next(
        p for p in extensions if abs(p.get_y() + p.get_height() / 2 - _row_y(fig, "kommunikationskonzept")) < 0.2
    )
    assert ext.get_x() == 7  # after 04/2023 (month 6 of the window)
    assert abs(ext.get_x() + ext.get_width() - today_x) < 1e-9
    assert kommunikation.overdue_to == Month(2026, 11)
    # conflicts: a colour and a pattern no dimension uses; the bars keep their dimension colour
    dimension_colours = {d.colour.lower() for d in catalogue().dimensions}
    marks = [p for p in ax.patches if p.get_hatch() == "xxxx"]
    assert len(marks) == 4  # four measures start too early (Steinfurt's seven conflicts)
    assert all(_hex(p.get_edgecolor()) not in dimension_colours for p in marks)
    awareness_colour = catalogue().dimension("IT-Sicherheit").colour.lower()
    (bars,) = [c for c in ax.collections if isinstance(c, PolyCollection) and c.get_zorder() == 2]
    solid = [f for f in bars.get_facecolor() if _hex(f) == awareness_colour]
    assert len(solid) == 3  # the three IT-Sicherheit bars, the conflicting one included
    # the finished open-ended AGORA registration: hatched as finished, with ✓
    texts = [t.get_text() for t in ax.texts]
    assert "✓" in texts
    save("roadmap-fahrplan-steinfurt-2026-11-30", render(fig, "png"))


def _row_y(fig, key: str) -> float:
    label = next(t for t in fig.axes[0].texts if t.get_gid() == f"zeile-{key}")
    return label.get_position()[1]


def test_text_sizes_kept_across_charts_give_the_same_svg(monkeypatch):
    """The sizes of texts are kept process-wide (charts/common.remember_text_sizes): the second
    Fahrplan measures none of its texts again, and the SVG is byte for byte the one matplotlib
    makes measuring every text (a matplotlib that stops calling the kept method fails here)."""
    from matplotlib.textpath import TextToPath

    strategy = load_strategy(STEINFURT.read_text(encoding="utf-8"))
    kept = TextToPath.get_text_width_height_descent
    assert getattr(kept, "remembered", False)

    def svg() -> bytes:
        return render(gantt_chart(strategy, today=date(2026, 12, 7)), "svg", "t", "d")

    first = svg()
    before = kept.cache_info()
    assert svg() == first
    after = kept.cache_info()
    assert after.misses == before.misses and after.hits - before.hits > 50
    monkeypatch.setattr(TextToPath, "get_text_width_height_descent", kept.original)
    assert svg() == first


def test_kept_text_sizes_tell_fonts_apart():
    """The kept size is keyed by every property of the font: the same text in bold, in another
    size, family or style gets its own size, each the one FreeType measures."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    kept = TextToPath.get_text_width_height_descent
    fonts = [
        FontProperties(family="DejaVu Sans", size=8.5),
        FontProperties(family="DejaVu Sans", size=8.5, weight="bold"),
        FontProperties(family="DejaVu Sans", size=12),
        FontProperties(family="DejaVu Sans", size=8.5, style="italic"),
        FontProperties(family="DejaVu Serif", size=8.5),
    ]
    text = "Einführung eines Dokumentenmanagementsystems (Kennzahl 17)"
    sizes = [kept(None, text, font, False) for font in fonts]
    assert sizes == [kept.original(TextToPath(), text, font, False) for font in fonts]
    assert len({s[0] for s in sizes}) == len(fonts)
    assert [kept(None, text, font, False) for font in fonts] == sizes  # found again


def test_the_month_grid_is_one_artist_per_kind_of_line():
    """Years, quarters and months are three line collections, not one line per month."""
    from matplotlib.collections import LineCollection

    strategy = load_strategy(STEINFURT.read_text(encoding="utf-8"))
    fig = gantt_chart(strategy, today=date(2024, 6, 1))
    ax = fig.axes[0]
    grids = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(grids) == 3 and len(ax.lines) <= 3  # today's and the plan period's edges
    months = sum(len(c.get_segments()) for c in grids)
    assert months == len(range(0, int(ax.get_xlim()[1]) + 1))


def test_plain_rectangles_are_one_collection_per_layer():
    """Bars, stripes, bands and outlines without hatch are drawn as one collection per z-order,
    clipping and transform, not as one artist each; the hatched ones stay patches."""
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Rectangle

    from planner.domain.roadmap_view import roadmap_view

    strategy = load_strategy(STEINFURT.read_text(encoding="utf-8"))
    fig = gantt_chart(strategy, today=date(2026, 11, 30), critical=True)
    ax = fig.axes[0]
    assert all(p.get_hatch() for p in ax.patches if isinstance(p, Rectangle))
    layers = [c for c in ax.collections if isinstance(c, PolyCollection)]
    keys = [(c.get_zorder(), c.get_clip_on(), id(c.get_transform())) for c in layers]
    assert len(keys) == len(set(keys))
    bars = next(c for c in layers if c.get_zorder() == 2)
    view = roadmap_view(strategy, date(2026, 11, 30))
    # a solid bar each; an open-ended one fades out in six more steps; finished ones are hatched
    assert len(bars.get_paths()) == sum(1 if b.measure.end else 7 for b in view.bars if not b.completed)
    outline = next(c for c in layers if c.get_zorder() == 4)  # the critical path, framed black
    assert {tuple(e) for e in outline.get_edgecolor()} == {(0.0, 0.0, 0.0, 1.0)}
    assert list(outline.get_linewidth()) == [2.0] * len(outline.get_paths())
    assert all(f[3] == 0 for f in outline.get_facecolor())


def test_render_cleans_every_text_without_making_ticks_for_axes_drawn_without_axis(monkeypatch):
    """Every text of the figure loses the control characters (a legend's too), and the axes drawn
    without axis (the Fahrplan's) are not asked for their ticks: nothing of them is drawn."""
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure

    asked = []
    ticks = Axis.get_major_ticks
    monkeypatch.setattr(Axis, "get_major_ticks", lambda self, *a: asked.append(self.axes) or ticks(self, *a))
    fig = Figure(figsize=(4, 3))
    plain = fig.add_axes((0.1, 0.55, 0.8, 0.4))
    plain.set_axis_off()
    plain.text(0.5, 0.5, "Zeile\x07eins")
    axed = fig.add_axes((0.1, 0.1, 0.8, 0.35))
    axed.plot([0, 1], [0, 1], label="Linie\x0bzwei")
    axed.set_title("Anfang\x01")
    axed.legend()
    fig.text(0.01, 0.01, "Fuß\x02note")
    svg = render(fig, "svg", "t", "d").decode()
    for shown in ("Zeileeins", "Liniezwei", "Anfang", "Fußnote"):
        assert shown in svg
    assert not any(c in svg for c in "\x01\x02\x07\x0b")
    assert axed in asked and plain not in asked
