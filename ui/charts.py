"""The shared look of charts and maps (offline, Vietnamese separators, best rank at the top)."""
from __future__ import annotations

import streamlit as st



PLOTLY_CONFIG = {"displaylogo": False, "locale": "vi", "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


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
