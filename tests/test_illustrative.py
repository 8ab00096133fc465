"""The illustrative district data: deterministic, realistic in shape, faithful to the press."""
from pathlib import Path

import pandas as pd

from loaders.entities import EntityRegistry
from loaders.frameworks import Frameworks
from loaders.illustrative import FIELDS, generate

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data/illustrative/thanhhoa_districts_2021_2024_illustrative.csv"


def regenerated() -> pd.DataFrame:
    rows = generate(Frameworks.load(ROOT / "data/frameworks"), EntityRegistry.load(ROOT / "data/registry"),
                    ROOT / "data/reference")
    return pd.DataFrame(rows, columns=FIELDS).astype(str)


def test_shipped_file_is_what_the_generator_makes():
    shipped = pd.read_csv(SHIPPED, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(shipped, regenerated())


def test_every_row_is_marked_and_only_press_rows_are_published():
    df = pd.read_csv(SHIPPED, dtype=str, keep_default_na=False)
    published = df[df.illustrative == "0"]
    assert len(published) == 8
    assert published.source.str.contains("http").all()
    assert df[df.illustrative == "1"].source.str.contains("MINH HỌA").all()


def test_ddci_2023_agrees_with_the_press(con):
    pts = con.execute("""SELECT points FROM scores WHERE index_code = 'DDCI' AND year = 2023
                         AND criterion_code IS NULL AND entity_level = 'district' ORDER BY points""").fetchall()
    assert len(pts) == 27 and pts[13][0] == 60.99  # the published median of the 27 districts
    good = {r[0] for r in con.execute("""SELECT entity_name FROM scores WHERE index_code = 'DDCI' AND year = 2023
                                         AND criterion_code IS NULL AND label = 'Tốt'""").fetchall()}
    assert good == {"Huyện Hoằng Hóa", "Thành phố Sầm Sơn", "Huyện Nông Cống", "Huyện Thọ Xuân",
                    "Huyện Đông Sơn", "Thành phố Thanh Hóa"}
    change = dict(con.execute("""SELECT a.entity_name, round(a.points - b.points, 2) FROM scores a JOIN scores b
                                 USING (entity_code, index_code) WHERE a.index_code = 'DDCI' AND a.year = 2023
                                 AND b.year = 2022 AND a.criterion_code IS NULL AND b.criterion_code IS NULL""").fetchall())
    assert change["Huyện Như Thanh"] == -28.27 and change["Huyện Nga Sơn"] == -10.78


def test_shape_has_falls_rises_and_published_sums(con):
    # Vĩnh Lộc's criterion 3.4 falls two years running; press totals equal the sum of their criteria
    s = [r[0] for r in con.execute("""SELECT points FROM scores WHERE entity_code = 'VN-38-393' AND index_code = 'PAR'
                                      AND criterion_code = '3.4' ORDER BY year""").fetchall()]
    assert s[1] > s[2] > s[3]
    total = con.execute("""SELECT sum(points) FROM score WHERE entity_code = 'VN-38-405' AND year = 2023
                           AND index_code = 'PAR' AND criterion_code LIKE '%.%'""").fetchone()[0]
    assert round(total, 2) == 92.15
