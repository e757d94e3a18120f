"""The Statistics window: charts of the numbers in studyapp.core.stats (QtCharts).

The window only draws; every figure comes from studyapp.core.stats. Longer periods are shown
in weekly bars (sums of the daily numbers) so the bars stay readable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QPieSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from studyapp.core import decks, stats
from studyapp.gui.ask import reuse_or_create

if TYPE_CHECKING:
    from studyapp.gui.main_window import MainWindow

PERIODS = (30, 90, 365)
COLOURS = {
    "learning": "#2874a6",
    "review": "#1e8449",
    "relearning": "#c0392b",
    "time": "#7d3c98",
    "due": "#d68910",
    "retention": "#1e8449",
    "mastery": "#117a65",
}
STATE_COLOURS = ("#5dade2", "#c0392b", "#e67e22", "#82e0aa", "#1e8449", "#aab7b8")


MAX_LABELS = 8


def sparse_labels(labels: Sequence[str], most: int = MAX_LABELS) -> list[str]:
    """Every k-th label kept so at most `most` show; the others become distinct blanks
    (a category axis needs unique names)."""
    step = max(1, math.ceil(len(labels) / most))
    return [text if i % step == 0 else " " * (i + 1) for i, text in enumerate(labels)]


def buckets(dates: Sequence[date], period: int) -> tuple[int, list[str]]:
    """How many days one bar covers (1 for a month, 7 beyond) and the bars' labels."""
    size = 1 if period <= 31 else 7
    labels = [dates[i].strftime("%b %d") for i in range(0, len(dates), size)]
    return size, sparse_labels(labels)


def bucket_sums(values: Sequence[float], size: int) -> list[float]:
    return [sum(values[i : i + size]) for i in range(0, len(values), size)]


class ChartView(QChartView):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(280)


def _bar_chart(
    title: str,
    categories: list[str],
    sets: list[tuple[str, list[float], str]],
    *,
    stacked: bool = False,
    horizontal: bool = False,
    value_title: str = "",
    value_max: float | None = None,
) -> tuple[QChart, list[QBarSet]]:
    chart = QChart()
    chart.setTitle(title)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    series: QBarSeries | QStackedBarSeries | QHorizontalBarSeries
    if horizontal:
        series = QHorizontalBarSeries()
    elif stacked:
        series = QStackedBarSeries()
    else:
        series = QBarSeries()
    bar_sets = []
    for name, values, colour in sets:
        bar_set = QBarSet(name)
        bar_set.append([float(v) for v in values])
        bar_set.setColor(QColor(colour))
        bar_set.setBorderColor(QColor(colour))
        series.append(bar_set)
        bar_sets.append(bar_set)
    series.setBarWidth(0.8)
    chart.addSeries(series)
    cat_axis: QBarCategoryAxis | QCategoryAxis
    if len(categories) > MAX_LABELS and not horizontal:
        # many narrow bars: a bar-category axis would elide every label to "...", so label
        # some bars by position instead
        cat_axis = QCategoryAxis()
        cat_axis.setRange(-0.5, len(categories) - 0.5)
        cat_axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        cat_axis.setStartValue(-0.5)
        for i, text in enumerate(categories):
            if text.strip():
                cat_axis.append(text, i)
        cat_axis.setGridLineVisible(False)
    else:
        cat_axis = QBarCategoryAxis()
        cat_axis.append(list(categories))
    small = QFont()
    small.setPointSize(8)
    cat_axis.setLabelsFont(small)
    value_axis = QValueAxis()
    if stacked:
        top = max((sum(col) for col in zip(*(s[1] for s in sets), strict=True)), default=0)
    else:
        top = max((max(s[1], default=0) for s in sets), default=0)
    if value_max is None:
        # whole-number ticks: 1, 2, 5, 10, 20, 50 ... apart, at most about five of them
        raw = max(1.0, top) / 5
        magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
        interval = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
        value_max = interval * math.ceil(max(1.0, top) / interval)
        if value_max == top:
            value_max += interval
    else:
        interval = value_max / 4
    value_axis.setRange(0, value_max)
    value_axis.setTickType(QValueAxis.TickType.TicksDynamic)
    value_axis.setTickAnchor(0)
    value_axis.setTickInterval(interval)
    value_axis.setLabelFormat("%g")
    value_axis.setTitleText(value_title)
    if horizontal:
        chart.addAxis(cat_axis, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(value_axis, Qt.AlignmentFlag.AlignBottom)
    else:
        chart.addAxis(cat_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(value_axis, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(cat_axis)
    series.attachAxis(value_axis)
    chart.legend().setVisible(len(sets) > 1)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart, bar_sets


class StatsWindow(QMainWindow):
    """Deck and period choosers above a grid of charts."""

    def __init__(self, main: MainWindow):
        super().__init__(main)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.setWindowTitle("Statistics")
        self.main = main
        self.col = main.col
        self.deck = QComboBox()
        self.period = QComboBox()
        for days in PERIODS:
            self.period.addItem(f"{days} days", days)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("Deck"))
        top.addWidget(self.deck, 1)
        top.addWidget(QLabel("Period"))
        top.addWidget(self.period)
        self.views: dict[str, ChartView] = {}
        self.sets: dict[str, list[QBarSet]] = {}
        self.pie: QPieSeries | None = None
        grid = QGridLayout()
        names = ("reviews", "time", "forecast", "retention", "bands", "counts", "mastery", "drills")
        for i, name in enumerate(names):
            view = ChartView()
            self.views[name] = view
            if name in ("mastery", "drills"):
                grid.addWidget(view, i, 0, 1, 2)
            else:
                grid.addWidget(view, i // 2, i % 2)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(scroll, 1)
        self.setCentralWidget(central)
        self.resize(1200, 900)
        self._fill_decks()
        self.deck.currentIndexChanged.connect(lambda _i: self.refresh())
        self.period.currentIndexChanged.connect(lambda _i: self.refresh())
        main.collection_changed.connect(self._on_collection_changed)
        self.refresh()

    def _fill_decks(self) -> None:
        current = self.deck.currentData()
        self.deck.blockSignals(True)
        self.deck.clear()
        self.deck.addItem("Whole collection", None)
        for deck in decks.all_decks(self.col):
            self.deck.addItem(deck.name, deck.id)
        index = self.deck.findData(current)
        self.deck.setCurrentIndex(max(index, 0))
        self.deck.blockSignals(False)

    def _on_collection_changed(self) -> None:
        self._fill_decks()
        self.refresh()

    def set_deck(self, deck_id: int | None) -> None:
        self.deck.setCurrentIndex(max(self.deck.findData(deck_id), 0))

    def set_period(self, days: int) -> None:
        self.period.setCurrentIndex(self.period.findData(days))

    def _show(self, name: str, chart: QChart) -> None:
        view = self.views[name]
        old = view.chart()
        view.setChart(chart)
        if old is not None:
            old.deleteLater()

    def refresh(self) -> None:
        deck_id = self.deck.currentData()
        days = int(self.period.currentData())
        col = self.col

        reviews = stats.reviews_per_day(col, deck_id, days)
        size, labels = buckets([r.date for r in reviews], days)
        per = "day" if size == 1 else "week"
        chart, sets = _bar_chart(
            f"Answers per {per}",
            labels,
            [
                ("Learning", bucket_sums([r.learning for r in reviews], size), COLOURS["learning"]),
                ("Review", bucket_sums([r.review for r in reviews], size), COLOURS["review"]),
                (
                    "Relearning",
                    bucket_sums([r.relearning for r in reviews], size),
                    COLOURS["relearning"],
                ),
            ],
            stacked=True,
            value_title="answers",
        )
        self.sets["reviews"] = sets
        self._show("reviews", chart)

        times = stats.time_per_day(col, deck_id, days)
        minutes = bucket_sums([t.minutes for t in times], size)
        chart, sets = _bar_chart(
            f"Minutes studied per {per}",
            labels,
            [("Minutes", minutes, COLOURS["time"])],
            value_title="minutes",
        )
        self.sets["time"] = sets
        self._show("time", chart)

        forecast = stats.due_forecast(col, deck_id, 30)
        chart, sets = _bar_chart(
            "Due in the next 30 days",
            sparse_labels(
                ["Today" if i == 0 else f.date.strftime("%b %d") for i, f in enumerate(forecast)]
            ),
            [("Cards due", [f.count for f in forecast], COLOURS["due"])],
            value_title="cards",
        )
        self.sets["forecast"] = sets
        self._show("forecast", chart)

        weeks = stats.true_retention(col, deck_id, days)
        chart, sets = _bar_chart(
            "True retention per week (review cards not answered Again)"
            + ("" if any(w.reviews for w in weeks) else " (no reviews in this period)"),
            sparse_labels([w.week_start.strftime("%b %d") for w in weeks]),
            [("Retention %", [w.percent or 0.0 for w in weeks], COLOURS["retention"])],
            value_title="%",
            value_max=100,
        )
        self.sets["retention"] = sets
        self._show("retention", chart)

        bands = stats.retention_by_interval(col, deck_id, days)
        answered = sum(b.reviews for b in bands)
        chart, sets = _bar_chart(
            "Retention by interval since the previous review"
            + ("" if answered else " (no reviews in this period)"),
            [f"{b.band} ({b.reviews})" for b in bands],
            [("Retention %", [b.percent or 0.0 for b in bands], COLOURS["retention"])],
            value_title="%",
            value_max=100,
        )
        self.sets["bands"] = sets
        self._show("bands", chart)

        counts = stats.card_counts(col, deck_id)
        pie = QPieSeries()
        for (label, value), colour in zip(
            (
                ("New", counts.new),
                ("Learning", counts.learning),
                ("Relearning", counts.relearning),
                ("Young", counts.young),
                ("Mature", counts.mature),
                ("Suspended", counts.suspended),
            ),
            STATE_COLOURS,
            strict=True,
        ):
            if value:
                piece = pie.append(f"{label} {value}", value)
                piece.setColor(QColor(colour))
                piece.setLabelVisible(True)
        chart = QChart()
        chart.setTitle(f"Cards by state ({sum(counts)} in all)")
        chart.addSeries(pie)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        self.pie = pie
        self._show("counts", chart)

        rows = stats.mastery(col, deck_id)
        names = [
            ("(own cards) " if m.own_cards_only else "")
            + m.name.rsplit("::", 1)[-1]
            + f"  {m.mastered}/{m.cards}"
            for m in rows
        ]
        chart, sets = _bar_chart(
            "Mastered (stability ≥ 21 days) per deck, %",
            names,
            [("Mastered %", [100 * m.share for m in rows], COLOURS["mastery"])],
            horizontal=True,
            value_max=100,
        )
        self.sets["mastery"] = sets
        view = self.views["mastery"]
        view.setMinimumHeight(max(220, 60 + 28 * len(rows)))
        self._show("mastery", chart)

        self._show_drills()

        today = stats.summary_today(col, deck_id)
        correct = "–" if today.correct_percent is None else f"{today.correct_percent:.0f}%"
        self.summary.setText(
            f"Today: {today.reviews} answers on {today.cards} cards ({today.new_cards} new),"
            f" {today.minutes:.0f} min, {correct} correct."
        )

    def _show_drills(self) -> None:
        """Code-location drill accuracy per ICD-10-CM chapter (all drills, any deck)."""
        from studyapp.core.drills import accuracy_by_chapter

        rows = sorted(accuracy_by_chapter(self.col).items())
        names = [f"Chapter {chapter}  {right}/{total}" for chapter, (right, total) in rows]
        chart, sets = _bar_chart(
            "Code-location drills: % right per ICD-10-CM chapter"
            + ("" if rows else " (no drills yet: Practice → Code-location drill)"),
            names,
            [("Right %", [100 * r / t for _, (r, t) in rows], COLOURS["mastery"])],
            horizontal=True,
            value_max=100,
        )
        self.sets["drills"] = sets
        self.views["drills"].setMinimumHeight(max(220, 60 + 28 * len(rows)))
        self._show("drills", chart)


def open_statistics(window: MainWindow) -> StatsWindow:
    """Show the Statistics window (one per main window), with fresh figures."""
    reused = isinstance(getattr(window, "stats_window", None), StatsWindow)
    stats_window = reuse_or_create(window, "stats_window", StatsWindow, lambda: StatsWindow(window))
    if reused:  # a new window has just drawn its charts
        stats_window.refresh()
    return stats_window
