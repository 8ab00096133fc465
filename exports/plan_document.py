"""Next year's plan («Kế hoạch duy trì, cải thiện và nâng cao các chỉ số … năm N+1»), drafted
in full as a Word document in the layout of Nghị định 30/2020/NĐ-CP.

The model is the 2023–2025 plan of UBND huyện Vĩnh Lộc (data/plan/): header, «KẾ HOẠCH» and
trích yếu, a lead paragraph (căn cứ), I. MỤC ĐÍCH, YÊU CẦU, II. NHIỆM VỤ, GIẢI PHÁP (one
subsection per index, one numbered task per chosen criterion with its lead and supporting
units), III. TỔ CHỨC THỰC HIỆN, Nơi nhận and the signature block, then one appendix per index
with the task table (exports.task_table.add_task_table, the same table as the download of
the «Trọng tâm năm tới» page). Number, day, month and signer are left as «…» placeholders
for the office, unless the plan is being adopted in the app (store/adoption.py), which fills
them in. The rows are the task table's (exports.briefing.task_rows / task_rows_of);
this module only words them, in the words of an administrative document: a rank reads «xếp
thứ 94/166», a criterion below the median «thấp hơn mức trung bình của các xã, phường», each
criterion gets its own task (metrics.plan_draft.task_for), results the product only
illustrates say «kết quả minh họa» and published ones name who published them. The date line,
the appendices' «Kèm theo» line and the task table's take one date (exports.briefing.plan_years).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from domain.entities import authority, styled_name
from domain.text import vn_number
from domain.vocabulary import INDEX_NAME, short_label
from exports import admin_document as nd30
from exports.briefing import (ILLUSTRATIVE_MARK, IndexTrend, attached_to, gather, plan_number_text, plan_years,
                              task_rows, vn)
from exports.task_table import TaskRow, _clean, _units, add_task_table
from metrics.plan_draft import draft_rows, standing, task_for
from metrics.progress import coordinator_name

DOC_KIND = "Kế hoạch"
# Who compiles the reports for the people's committee, by the level of the entity, when
# data/progress/coordinators.csv names no unit for it (metrics.progress.coordinator_name):
# communes from 2025 have no Phòng Nội vụ; their CCHC work is Phòng Văn hóa - Xã hội's
# (Thông tư 10/2025/TT-BNV, Điều 3–4).
COORDINATOR = {"province": "Sở Nội vụ", "district": "Phòng Nội vụ", "commune": "Phòng Văn hóa - Xã hội"}
SUPERIOR = {"province": "Bộ Nội vụ", "district": "Sở Nội vụ", "commune": "Sở Nội vụ"}
# Whom an entity is ranked among, in running text («xếp thứ 94/166 xã, phường»; «thấp hơn mức
# trung bình của các xã, phường»).
PEERS = {"province": "tỉnh, thành phố", "district": "huyện, thị xã, thành phố", "commune": "xã, phường"}
_TWO_WORD_PREFIXES = ("thành phố ", "thị xã ", "thị trấn ")


@dataclass
class PlanDocument:
    issuer: str                 # the issuing authority as running text names it: «UBND xã Vĩnh Lộc»
    parent: str | None          # cơ quan chủ quản printed above it, or None (a UBND has none)
    place: str                  # địa danh of the date line: «Vĩnh Lộc»
    entity_name: str            # the assessed entity in running text: «xã Vĩnh Lộc»
    results_year: int           # the results the criteria were chosen from
    plan_year: int              # the year the plan is for
    issue_year: int             # the year printed on the date line and the appendices
    rows: list[TaskRow]         # in the plan's order, index by index
    results: list[IndexTrend] = field(default_factory=list)  # latest score and rank of each index
    # why a criterion is on the focus list, as the plan words it («giảm điểm 3 năm liên tiếp»,
    # «xếp thứ 27/27», «thấp hơn mức trung bình của các xã, phường»: ``standing_words``), by
    # (index code, the row's code); criteria chosen by hand from outside the list have none
    reasons: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    illustrative: bool = False
    level: str = "commune"      # the entity's: whom it is ranked among (PEERS)
    # who published each index's results of results_year («UBND tỉnh Thanh Hóa»), for the
    # indices whose results are published; the others are illustrative (or of unknown source)
    publishers: dict[str, str] = field(default_factory=dict)
    # indices whose criteria's ranks the product computed from the scores (none is published)
    score_ranked: set[str] = field(default_factory=set)
    plan_number: str = nd30.BLANK
    coordinator: str = COORDINATOR["commune"]
    superior: str = SUPERIOR["commune"]
    signed_on: date | None = None  # filled when the plan is adopted in the app; else «ngày … tháng …»
    signer_name: str = ""
    mark: str = ""  # put before every task's text: «[Minh họa] » for the shipped illustrative plan

    @property
    def day(self) -> str:
        return f"{self.signed_on.day:02d}" if self.signed_on else nd30.BLANK

    @property
    def month(self) -> str:
        return f"{self.signed_on.month:02d}" if self.signed_on else nd30.BLANK

    @property
    def by_index(self) -> dict[str, list[TaskRow]]:
        out: dict[str, list[TaskRow]] = {}
        for r in self.rows:
            out.setdefault(r.index_code, []).append(r)
        return out

    @property
    def number(self) -> str:
        """«…/KH-UBND» in a draft; the number as given («125/KH-UBND») once adopted."""
        return plan_number_text(self.plan_number)

    @property
    def peers(self) -> str:
        return PEERS.get(self.level, PEERS["commune"])

    @property
    def index_names(self) -> str:
        """«Chỉ số A, Chỉ số B và Chỉ số C» for the indices the plan covers."""
        names = [_clean(INDEX_NAME.get(code, code)) for code in self.by_index] or ["các chỉ số"]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " và " + names[-1]


def place_name(name: str, level: str) -> str:
    """The địa danh of a document: the entity's name without its administrative word
    («Xã Vĩnh Lộc» → «Vĩnh Lộc», «TP. Thanh Hóa» → «Thanh Hóa»)."""
    styled = styled_name(name, level)  # «xã Vĩnh Lộc», «thành phố Thanh Hóa»
    return styled.split(" ", 2 if styled.startswith(_TWO_WORD_PREFIXES) else 1)[-1]


def gather_plan_document(con, entity_code: str, year: int, codes: list[str] | None = None,
                         today: date | None = None, edited_rows: list[TaskRow] | None = None, *,
                         plan_number: str = nd30.BLANK, coordinator: str | None = None,
                         signed_on: date | None = None, signer_name: str = "", mark: str = "") -> PlanDocument:
    """The plan drafted from ``year``'s results of an entity: the task table's rows (the
    focus list, the criteria named by ``codes``, or the page's ``edited_rows``) and the
    latest score and rank of each index they belong to, from metrics/ (exports.briefing)."""
    today = today or date.today()
    b = gather(con, entity_code, year)
    level, parent = con.execute("SELECT level, parent_code FROM entities WHERE entity_code = ?",
                                [entity_code]).fetchone()
    rows = list(edited_rows) if edited_rows is not None else task_rows(con, entity_code, year, codes)
    in_plan = {r.index_code for r in rows}
    results = [it for it in b.indices if it.index_code in in_plan]
    # a plan is signed before its year begins (the 2023–2025 plan: 11/2023), or early in it
    plan_year, issue_year = plan_years(year, today, signed_on)
    weak = b.weak
    if len(weak):
        weak = draft_rows(con, weak.merge(standing(con, entity_code, year), how="left",
                                          on=["index_code", "framework", "criterion_code"]), entity_code)
    reasons = {(r.index_code, r.code): standing_words(r, level) for r in weak.itertuples()}
    chosen = {(r.index_code, r.code) for r in rows}
    score_ranked = {r.index_code for r in weak.itertuples()
                    if (r.index_code, r.code) in chosen and _shows_rank(r) and bool(r.rank_computed)}
    return PlanDocument(
        issuer=_clean(authority(b.entity_name, level)), parent=None,
        place=_clean(place_name(b.entity_name, level)), entity_name=_clean(styled_name(b.entity_name, level)),
        results_year=int(year), plan_year=plan_year, issue_year=issue_year, rows=rows, results=results,
        reasons=reasons, signed_on=signed_on, signer_name=_clean(signer_name), mark=mark, level=level,
        publishers=_publishers(con, results, level, parent), score_ranked=score_ranked,
        illustrative=any(r.is_illustrative for r in rows) or any(it.is_illustrative for it in results),
        plan_number=_clean(plan_number) or nd30.BLANK,
        coordinator=coordinator or coordinator_name(con, level) or COORDINATOR.get(level, COORDINATOR["commune"]),
        superior=SUPERIOR.get(level, SUPERIOR["commune"]))


def _publishers(con, results: list[IndexTrend], level: str, parent: str | None) -> dict[str, str]:
    """Who published each index's latest results, for those not illustrative: the index's
    publisher (data/frameworks/indices.csv: «Bộ Nội vụ; UBND tỉnh» — the first for a province,
    the last for the units it ranks), «UBND tỉnh» with the province's name."""
    names = dict(con.execute("SELECT index_code, publisher FROM indices").fetchall())
    province = con.execute("SELECT name FROM entities WHERE entity_code = ?", [parent]).fetchone() if parent else None
    out = {}
    for it in results:
        latest = it.trend[it.trend.year == it.latest_year]
        if latest.is_illustrative.any() or not names.get(it.index_code):
            continue
        parts = [x.strip() for x in names[it.index_code].split(";") if x.strip()]
        who = parts[0] if level == "province" else parts[-1]
        if who == "UBND tỉnh" and province:
            who = f"UBND tỉnh {province[0]}"
        out[it.index_code] = _clean(who)
    return out


def _shows_rank(r) -> bool:
    return bool(r.low_ranked) if not pd.isna(r.low_ranked) else False


def standing_words(r, level: str) -> list[str]:
    """Why a criterion is on the focus list, in a plan's words (the facts of metrics.plan_draft.
    standing, the flags of metrics.criteria.focus_list): «giảm điểm 3 năm liên tiếp» or «giảm
    0,5 điểm so với năm 2024», «xếp thứ 144/166», «thấp hơn mức trung bình của các xã, phường»."""
    def known(v) -> bool:
        return v is not None and not pd.isna(v)

    out = []
    if known(r.decline_run) and r.decline_run >= 2:
        out.append(f"giảm điểm {int(r.decline_run)} năm liên tiếp")
    elif known(r.change_points) and r.change_points < 0 and known(r.prev_year):
        out.append(f"giảm {vn_number(round(-r.change_points, 2))} điểm so với năm {int(r.prev_year)}")
    if _shows_rank(r) and known(r.rank):
        out.append(f"xếp thứ {int(r.rank)}/{int(r.n_ranked)}" if known(r.n_ranked) else f"xếp thứ {int(r.rank)}")
    if known(r.below_median) and bool(r.below_median):
        out.append(f"thấp hơn mức trung bình của các {PEERS.get(level, PEERS['commune'])}")
    return out


# --- the document ----------------------------------------------------------------------

def plan_document_docx(plan: PlanDocument) -> bytes:
    doc = nd30.new_document()
    first = doc.sections[0]
    nd30.add_page_numbers(first)
    if plan.illustrative:
        nd30.add_notice_header(first, ILLUSTRATIVE_MARK)
    nd30.add_header_block(doc, parent=plan.parent, issuer=_issuer_lines(plan.issuer), number=plan.number,
                          place=plan.place, year=plan.issue_year, day=plan.day, month=plan.month)
    nd30.add_title(doc, DOC_KIND, trich_yeu(plan))
    _lead(doc, plan)
    _purpose(doc, plan)
    _tasks(doc, plan)
    _organisation(doc, plan)
    nd30.add_closing(doc, recipients(plan), signer_name=plan.signer_name or None)
    _appendices(doc, plan)
    return nd30.to_bytes(doc)


def write_plan_document(plan: PlanDocument, path: Path) -> None:
    path = Path(path)
    if path.suffix.lower() != ".docx":
        raise ValueError(f"Không hỗ trợ định dạng tệp “{path.suffix or '(không có phần mở rộng)'}”: "
                         "dự thảo kế hoạch chỉ xuất được ra tệp .docx.")
    path.write_bytes(plan_document_docx(plan))


def trich_yeu(plan: PlanDocument) -> str:
    return f"Duy trì, cải thiện và nâng cao {plan.index_names} {plan.entity_name} năm {plan.plan_year}"


def recipients(plan: PlanDocument) -> list[str]:
    return [f"{plan.superior} (để b/c)", f"Thường trực cấp ủy, HĐND {plan.entity_name} (để b/c)",
            f"Chủ tịch, các Phó Chủ tịch {plan.issuer}", "Các cơ quan, đơn vị có tên tại Kế hoạch"]


def appendix_title(plan: PlanDocument, index_code: str) -> str:
    name = _clean(INDEX_NAME.get(index_code, index_code)).upper()
    return f"NHIỆM VỤ, GIẢI PHÁP DUY TRÌ, NÂNG CAO {name} NĂM {plan.plan_year}"


def appendix_subtitle(plan: PlanDocument) -> str:
    return attached_to(plan.number, plan.issuer, plan.issue_year, plan.day, plan.month)


def _issuer_lines(issuer: str) -> str:
    """«UBND xã Vĩnh Lộc» → «Ủy ban nhân dân» / «xã Vĩnh Lộc»: the full name on two lines."""
    return "Ủy ban nhân dân\n" + issuer.removeprefix("UBND ") if issuer.startswith("UBND ") else issuer


def lead_lines(plan: PlanDocument) -> list[str]:
    """The «Căn cứ» lines: the results the plan rests on, one line for the illustrative ones
    («kết quả minh họa») and one for each publisher of the published ones."""
    groups: dict[str, list[str]] = {}
    for code in plan.by_index:
        who = plan.publishers.get(code)
        groups.setdefault(who if who else ("" if plan.illustrative else "?"), []).append(code)
    lines = []
    for who, codes in groups.items():
        names = [_clean(INDEX_NAME.get(c, c)) for c in codes]
        names = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " và " + names[-1]
        what = f"Căn cứ kết quả {names} năm {plan.results_year} của {plan.entity_name}"
        lines.append(what + (" (kết quả minh họa, chưa phải kết quả chính thức);" if who == ""
                             else ";" if who == "?" else f" do {who} công bố;"))
    return lines


def _lead(doc, plan: PlanDocument) -> None:
    for line in lead_lines(plan):
        nd30.add_paragraph(doc, line)
    nd30.add_paragraph(doc, f"{plan.issuer} ban hành Kế hoạch duy trì, cải thiện và nâng cao {plan.index_names} "
                            f"{plan.entity_name} năm {plan.plan_year} với những nội dung như sau:")


def _purpose(doc, plan: PlanDocument) -> None:
    _heading(doc, "I. MỤC ĐÍCH, YÊU CẦU")
    counts = "; ".join(f"{_clean(short_label(code))}: {len(rows)} tiêu chí" for code, rows in plan.by_index.items())
    for text in (
        "- Thực hiện đồng bộ, hiệu quả các nhiệm vụ, giải pháp đẩy mạnh cải cách hành chính, trọng tâm là cải "
        "cách thủ tục hành chính, nâng cao chất lượng phục vụ người dân, doanh nghiệp; duy trì, cải thiện và nâng "
        f"cao điểm số, thứ hạng các chỉ số của {plan.entity_name} năm {plan.plan_year}.",
        "- Xác định công tác cải cách hành chính gắn với việc duy trì, cải thiện và nâng cao các chỉ số là nhiệm "
        "vụ trọng tâm, xuyên suốt; phân công rõ nhiệm vụ cho từng cơ quan, đơn vị nhằm khắc phục những tồn tại, "
        "hạn chế, nhất là các tiêu chí, tiêu chí thành phần đang giảm điểm hoặc xếp hạng thấp.",
        f"- Kế hoạch tập trung vào {len(plan.rows)} tiêu chí đang giảm điểm hoặc xếp hạng thấp theo kết quả năm "
        f"{plan.results_year} ({counts}).",
        "- Các cơ quan, đơn vị bám sát yêu cầu, nội dung của từng tiêu chí để chủ động triển khai thực hiện theo "
        "chức năng, nhiệm vụ được giao; kịp thời tham mưu, đề xuất các giải pháp cụ thể, khả thi.",
    ):
        nd30.add_paragraph(doc, text)


def _tasks(doc, plan: PlanDocument) -> None:
    _heading(doc, "II. NHIỆM VỤ, GIẢI PHÁP")
    results = {it.index_code: it for it in plan.results}
    for n, (code, rows) in enumerate(plan.by_index.items(), start=1):
        _heading(doc, f"{n}. {_clean(INDEX_NAME.get(code, code))}")
        if code in results or code in plan.score_ranked:
            _keep_with_next(nd30.add_paragraph(doc, _result_sentence(plan, code, results.get(code))))
        for k, r in enumerate(rows, start=1):
            nd30.add_paragraph(doc, task_text(plan, k, r))
            lines = unit_lines(r)  # the three lines of a task on one page
            for i, (label, text) in enumerate(lines):
                p = nd30.add_paragraph(doc, f"- {label}: {text}" + ("" if text.endswith((".", nd30.BLANK)) else "."))
                if i < len(lines) - 1:
                    _keep_with_next(p)
    nd30.add_paragraph(doc, "Các cơ quan, đơn vị xây dựng kế hoạch và tổ chức thực hiện các nhiệm vụ, giải pháp "
                            "tại các Phụ lục kèm theo Kế hoạch này phù hợp với tình hình thực tế của cơ quan, "
                            "đơn vị mình.")
    numbers = ", ".join(str(i) for i in range(1, len(plan.by_index) + 1))
    nd30.add_paragraph(doc, f"(Có Phụ lục số {numbers} kèm theo).", italic=True)


def _keep_with_next(p):
    p.paragraph_format.keep_with_next = True
    return p


def _heading(doc, text: str) -> None:
    """A heading that never ends a page (nd30.add_heading, kept with what follows)."""
    nd30.add_heading(doc, text)
    _keep_with_next(doc.paragraphs[-1])


def task_text(plan: PlanDocument, k: int, r: TaskRow) -> str:
    """«(k) <code> <name>: » then why it was chosen, when known, and what to do about that
    criterion (metrics.plan_draft.task_for)."""
    why = ", ".join(_clean(x) for x in plan.reasons.get((r.index_code, r.code), []))
    task = _clean(task_for(r.index_code, r.name))
    body = f"năm {plan.results_year} {why}. {task}" if why else task[:1].lower() + task[1:]
    return f"{plan.mark}({k}) {_clean(r.code)} {_clean(r.name)}: {body}"


def unit_lines(r: TaskRow) -> list[tuple[str, str]]:
    """The three lines under a task: the units as the table's cells write them (``_units``),
    «…» where no unit is named yet."""
    return [("Cơ quan chủ trì", _units(r.lead_units) or nd30.BLANK),
            ("Cơ quan phối hợp", _units(r.support_units) or nd30.BLANK),
            ("Thời gian thực hiện", _clean(r.timing) or nd30.BLANK)]


def _result_sentence(plan: PlanDocument, code: str, it: IndexTrend | None) -> str:
    """«Năm 2025, PAR INDEX của xã Tây Đô đạt 86,70 điểm, xếp thứ 81/166 xã, phường (kết quả minh
    họa).», then the criteria, saying when their ranks are the scores' order (none is published)."""
    text = ""
    if it is not None and it.latest_points is not None:
        rank = ""
        if it.latest_rank is not None:
            rank = f", xếp thứ {it.latest_rank}" + (f"/{it.latest_n} {plan.peers}" if it.latest_n is not None else "")
            rank += " theo điểm số" if it.rank_computed else ""
        latest = it.trend[it.trend.year == it.latest_year]
        minh_hoa = " (kết quả minh họa)" if latest.is_illustrative.any() else ""
        text = (f"Năm {it.latest_year}, {_clean(short_label(code))} của {plan.entity_name} đạt "
                f"{vn(it.latest_points)} điểm{rank}{minh_hoa}. ")
    ranked = (f" (thứ hạng của từng tiêu chí xếp theo điểm số của các {plan.peers})"
              if code in plan.score_ranked else "")
    return f"{text}Các tiêu chí cần tập trung cải thiện{ranked}:"


def _organisation(doc, plan: PlanDocument) -> None:
    coordinator = _clean(plan.coordinator)
    _heading(doc, "III. TỔ CHỨC THỰC HIỆN")
    nd30.add_paragraph(doc, "1. Các cơ quan, đơn vị được giao chủ trì")
    nd30.add_paragraph(doc, "- Tập trung chỉ đạo, triển khai thực hiện hiệu quả, kịp thời các nhiệm vụ, giải pháp "
                            f"được giao tại Kế hoạch này; chịu trách nhiệm trước {plan.issuer}, Chủ tịch "
                            f"{plan.issuer} về kết quả thực hiện.")
    nd30.add_paragraph(doc, "- Định kỳ hằng quý, 06 tháng, năm, đánh giá tình hình triển khai và kết quả thực hiện "
                            f"nhiệm vụ, gửi {coordinator} để tổng hợp.")
    nd30.add_paragraph(doc, "2. Các cơ quan, đơn vị phối hợp: chủ động phối hợp chặt chẽ với cơ quan chủ trì; "
                            "cung cấp đầy đủ, kịp thời thông tin, tài liệu theo đề nghị của cơ quan chủ trì.")
    nd30.add_paragraph(doc, f"3. {coordinator}: hướng dẫn, theo dõi, đôn đốc, kiểm tra các cơ quan, đơn vị thực "
                            f"hiện Kế hoạch này; tổng hợp, báo cáo {plan.issuer} định kỳ hằng quý, 06 tháng, năm "
                            "(báo cáo quý: trước ngày 10 của tháng cuối quý; báo cáo năm: trước ngày 20/12); "
                            "khi kết quả các chỉ số năm sau được công bố, tham mưu điều chỉnh, bổ sung nhiệm vụ.")
    nd30.add_paragraph(doc, "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị kịp thời "
                            f"báo cáo {plan.issuer} (qua {coordinator}) để xem xét, điều chỉnh, bổ sung cho phù "
                            "hợp./.")


def _appendices(doc, plan: PlanDocument) -> None:
    for n, (code, rows) in enumerate(plan.by_index.items(), start=1):
        section = nd30.add_landscape_section(doc)
        nd30.add_centred(doc, f"Phụ lục {n}", bold=True, size=14)
        nd30.add_centred(doc, appendix_title(plan, code), bold=True)
        nd30.add_centred(doc, appendix_subtitle(plan), italic=True)
        doc.add_paragraph()
        add_task_table(doc, rows, dict(INDEX_NAME), nd30.text_width_mm(section))
