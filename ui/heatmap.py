"""Draws the criteria × years heatmaps that metrics/heatmap.py computes."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from metrics.heatmap import Grid
from ui import charts
from ui.fmt import plain

TOP_PX = 36  # the years, written above the grid
BOTTOM_PX = 10
MIN_PLOT_PX = 180  # a grid of one or two rows still has room for its colour bar


def figure(g: Grid) -> go.Figure:
    """Rows as tall as their wrapped label (y holds the row boundaries), years on top, the
    rank or % written in each cell, the colour bar explained in words."""
    fig = go.Figure(go.Heatmap(
        z=g.z, x=[str(y) for y in g.years], y=g.y_edges, text=g.text, texttemplate="%{text}",
        textfont=dict(size=12), customdata=g.hover, hovertemplate="%{customdata}<extra></extra>",
        hoverongaps=False, colorscale="RdYlGn", zmin=0, zmax=1, xgap=2, ygap=2,
        # the end ticks inset, clear of the title above the bar
        colorbar=dict(title=dict(text=g.colour_title, side="top"), tickvals=[0.08, 0.5, 0.92], ticktext=g.tick_text,
                      lenmode="pixels", len=min(260, max(g.height_px, MIN_PLOT_PX)), yanchor="top", y=1,
                      thickness=14)))
    height = max(g.height_px, MIN_PLOT_PX) + TOP_PX + BOTTOM_PX
    charts.style_figure(fig, height=height, legend=False)
    fig.update_layout(margin=dict(l=10, r=10, t=TOP_PX, b=BOTTOM_PX), plot_bgcolor="white")
    fig.update_xaxes(side="top", showgrid=False, tickfont=dict(size=13))
    fig.update_yaxes(tickmode="array", tickvals=g.y_mid, ticktext=g.labels, range=[g.y_edges[-1], 0],
                     showgrid=False, zeroline=False, automargin=True, tickfont=dict(size=12), fixedrange=True)
    fig.update_xaxes(fixedrange=True)
    return fig


def draw(g: Grid) -> None:
    """The chart and the caption saying what its colours mean; nothing for an empty grid
    (an all-empty heatmap blanks the page in the browser)."""
    if g is None or g.empty:
        return
    st.plotly_chart(figure(g), config=charts.PLOTLY_CONFIG)
    st.caption(plain(g.caption))  # plain text: its criterion codes come from files
