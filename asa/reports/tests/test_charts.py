"""Server-drawn SVG charts: accessible, CSP-clean, the figures in a table beside them."""

import datetime as dt
import re
from decimal import Decimal

from asa.lib.thai import thai_digits_preferred
from asa.reports.charts import bar_chart, horizontal_bars, nice_ceiling, number, trend_chart
from asa.reports.queries import Bar, MonthBar, month_label

BARS = [Bar("2560", "2560", 3), Bar("2561", "2561", 4), Bar("2562", "2562", 4)]


def _no_inline_style_or_script(svg: str) -> None:
    assert "style=" not in svg
    assert "<script" not in svg
    assert "javascript:" not in svg


def test_it_draws_one_bar_per_item_with_a_title_and_description():
    chart = bar_chart(BARS, title="ศูนย์ที่เปิด", label_header="ปีงบประมาณ", value_header="ศูนย์")
    svg = str(chart.svg)
    assert svg.count('<rect class="bar"') == 3
    assert 'role="img"' in svg
    assert "<title id=" in svg and "ศูนย์ที่เปิด" in svg
    assert "2560 3, 2561 4, 2562 4" in svg  # the <desc> reads the figures out
    assert chart.rows == [("2560", "3"), ("2561", "4"), ("2562", "4")]
    assert chart.headers == ("ปีงบประมาณ", "ศูนย์")
    _no_inline_style_or_script(svg)


def test_the_tallest_bar_reaches_a_round_top_of_the_axis():
    assert nice_ceiling(4) == 5
    assert nice_ceiling(11) == 20
    assert nice_ceiling(250) == 250
    assert nice_ceiling(0) == 1
    heights = [
        float(h)
        for h in re.findall(
            r'class="bar"[^>]*height="([\d.]+)"',
            str(bar_chart(BARS, title="t", label_header="a", value_header="b").svg),
        )
    ]
    assert heights[1] == heights[2] > heights[0]


def test_it_escapes_labels():
    chart = horizontal_bars(
        [Bar("x", "<script>alert(1)</script>", 2)], title="t", label_header="a", value_header="b"
    )
    assert "<script>" not in str(chart.svg)
    assert "&lt;script&gt;" in str(chart.svg)


def test_long_labels_are_shortened_in_the_image_but_whole_in_the_table():
    label = "ผู้สูงอายุที่ถูกทอดทิ้งและอาศัยอยู่ตามลำพังในชุมชนแออัด"
    chart = horizontal_bars([Bar("a", label, 7)], title="t", label_header="a", value_header="b")
    svg = str(chart.svg)
    assert "…" in svg
    assert f"<title>{label}: 7</title>" in svg
    assert chart.rows == [(label, "7")]


def test_an_empty_chart_has_no_image():
    chart = horizontal_bars([], title="t", label_header="a", value_header="b")
    assert chart.empty and str(chart.svg) == ""


def test_the_trend_draws_a_line_per_series_and_labels_months_in_the_buddhist_era():
    months = [
        MonthBar(dt.date(2018, 10, 1), month_label(dt.date(2018, 10, 1)), 3, 1),
        MonthBar(dt.date(2018, 11, 1), month_label(dt.date(2018, 11, 1)), 5, 4),
        MonthBar(dt.date(2018, 12, 1), month_label(dt.date(2018, 12, 1)), 2, 6),
    ]
    chart = trend_chart(
        months,
        title="กรณีรายเดือน",
        month_header="เดือน",
        series=(("opened", "รับแจ้งใหม่"), ("closed", "ปิดแล้ว")),
    )
    svg = str(chart.svg)
    assert svg.count("<polyline") == 2
    assert svg.count("<circle") == 6
    assert "ต.ค. 61" in svg
    assert chart.rows[0] == ("ต.ค. 61", "3", "1")
    _no_inline_style_or_script(svg)


def test_figures_follow_the_users_choice_of_digits():
    assert number(1234) == "1,234"
    assert number(Decimal("12.50")) == "12.5"
    token = thai_digits_preferred.set(True)
    try:
        assert number(1234) == "๑,๒๓๔"
        chart = bar_chart(BARS, title="t", label_header="a", value_header="b")
        assert "๒๕๖๐" in str(chart.svg)
    finally:
        thai_digits_preferred.reset(token)


def test_gridlines_fall_on_whole_numbers():
    for top in (1, 2, 5, 10, 20, 25, 50, 250, 1000):
        chart = bar_chart([Bar("a", "a", top)], title="t", label_header="a", value_header="b")
        ticks = re.findall(
            r'<text class="axis" x="\d+" y="[\d.]+" text-anchor="end">([^<]+)<', str(chart.svg)
        )
        assert all("." not in tick for tick in ticks), (top, ticks)
