"""Streamlit-side helpers shared by the pages (the core in loaders/ and metrics/ never imports Streamlit)."""
