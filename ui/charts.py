"""The shared look of charts and maps (offline, Vietnamese separators, best rank at the top)."""
from __future__ import annotations

import streamlit as st



# plotly's tool bar speaks English («Download plot as a png», «Autoscale») and cannot be translated
# without shipping its locale files; an official needs none of it (exports have their own buttons)
PLOTLY_CONFIG = {"displaylogo": False, "displayModeBar": False, "locale": "vi"}


def style_figure(fig, *, height: int = 360, rank_axis: bool = False, legend: bool = True):
    """Shared look: Vietnamese separators, years as categories, best rank at the top."""
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=10), separators=", ",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0) if legend else None,
                      showlegend=legend, font=dict(family="Source Sans Pro, Arial, sans-serif"))
    # years as categories, in order (not in order of first appearance across traces)
    fig.update_xaxes(type="category", categoryorder="category ascending")
    if rank_axis:
        fig.update_yaxes(autorange="reversed", title="Hạng (1 = cao nhất)")
    return fig


GEO_ATTRIBUTION = ("Ranh giới: Open Development Vietnam (Open Development Mekong), «Địa phận tỉnh», CC BY-SA 4.0; "
                   "nguồn Cục Đo đạc và Bản đồ. Đã đơn giản hóa; các tỉnh năm 2025 được gộp theo Nghị quyết 202/2025/QH15.")


@st.cache_resource(max_entries=2)
def province_geojson(after_2025: bool) -> dict:
    import json

    from store.db import ROOT

    name = "vn_provinces_2025.geojson" if after_2025 else "vn_provinces_2024.geojson"
    return json.loads((ROOT / "data" / "geo" / name).read_text(encoding="utf-8"))


def trend_figure(df, breaks: list[tuple[int, str]], *, y: str = "rank", labels: dict[str, str], height: int = 360):
    """Lines per index over the years, never drawn across a break: each period between the
    reforms in ``breaks`` ((first year after, what changed)) gets its own panel with its own
    rank axis (27 districts before, 166 communes after are not one scale), titled with the
    change. A predecessor's years (``history``) are dashed, in the index's colour, and named
    in the legend. ``df``: index_code, year, series, history, points, n_ranked and ``y``."""
    import plotly.express as px
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from ui.fmt import num, plot_text

    data = df.dropna(subset=[y])
    if data.empty:  # scores without any rank (too few units ranked, or none published): say so
        fig = go.Figure()
        fig.add_annotation(text="Chưa có thứ hạng để vẽ: chưa đủ đơn vị để xếp hạng hoặc chưa có hạng công bố",
                           showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font=dict(size=13))
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        fig.update_layout(height=min(height, 160), margin=dict(l=10, r=10, t=10, b=10))
        return fig
    cuts = [(year, what) for year, what in breaks if len(data) and data.year.min() < year <= data.year.max()]
    edges = [-10**9] + [year for year, _ in cuts] + [10**9]
    periods = [data[(data.year >= lo) & (data.year < hi)] for lo, hi in zip(edges, edges[1:])]
    spans = [max(2, p.year.nunique()) for p in periods]  # a one-year panel still has room for its title
    titles = []
    for i, part in enumerate(periods):
        first, last = int(part.year.min()), int(part.year.max())
        titles.append((f"{first}–{last}" if first != last else str(first))
                      + (f" · sau {plot_text(cuts[i - 1][1][:1].lower() + cuts[i - 1][1][1:])}" if i else ""))
    fig = make_subplots(rows=1, cols=len(periods), column_widths=spans, subplot_titles=titles,
                        horizontal_spacing=0.08 if len(periods) > 1 else 0.02)
    palette = px.colors.qualitative.Plotly
    colour = {index: palette[i % len(palette)] for i, index in enumerate(dict.fromkeys(data.index_code))}
    shown: set[str] = set()
    for col, part in enumerate(periods, 1):
        for (index, series, history), line in part.groupby(["index_code", "series", "history"], sort=False):
            line = line.sort_values("year")
            # names from files reach the legend and the hover, which read HTML: escaped (plot_text)
            name = plot_text(labels.get(index, index)) + (f" — {plot_text(series)}" if history else "")
            fig.add_trace(go.Scatter(
                x=line.year, y=line[y], mode="lines+markers", name=name, legendgroup=name,
                showlegend=name not in shown, line=dict(color=colour[index], dash="dash" if history else "solid"),
                customdata=list(zip(line.n_ranked.map(lambda n: f"/{int(n)}" if n == n else ""),
                                    line.points.map(num), [plot_text(series)] * len(line))),
                hovertemplate="%{customdata[2]}<br>Năm %{x}: hạng %{y}%{customdata[0]}"
                              "<br>Điểm %{customdata[1]}<extra></extra>" if y == "rank" else None), row=1, col=col)
            shown.add(name)
    for ann in fig.layout.annotations:
        ann.font = dict(size=12, color="#333333")
    style_figure(fig, height=height, rank_axis=y == "rank")
    for col, part in enumerate(periods, 1):
        years = sorted(part.year.unique())
        fig.update_xaxes(type="linear", tickmode="array", tickvals=years, ticktext=[str(v) for v in years],
                         range=[years[0] - 0.5, years[-1] + 0.5], row=1, col=col)
        if col > 1:
            fig.update_yaxes(title=None, row=1, col=col)
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0),
                      margin=dict(l=10, r=10, t=30, b=10))
    return fig
