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
this module only words them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from domain.entities import authority, styled_name
from domain.vocabulary import INDEX_NAME, next_plan_year, short_label
from exports import admin_document as nd30
from exports.briefing import ILLUSTRATIVE_MARK, IndexTrend, gather, task_rows, vn
from exports.report import rank_text
from exports.task_table import TaskRow, _clean, _units, add_task_table
from metrics.plan_draft import draft_rows
from metrics.progress import coordinator_name

DOC_KIND = "Kế hoạch"
NUMBER_SUFFIX = "/KH-UBND"
# Who compiles the reports for the people's committee, by the level of the entity, when
# data/progress/coordinators.csv names no unit for it (metrics.progress.coordinator_name):
# communes from 2025 have no Phòng Nội vụ; their CCHC work is Phòng Văn hóa - Xã hội's
# (Thông tư 10/2025/TT-BNV, Điều 3–4).
COORDINATOR = {"province": "Sở Nội vụ", "district": "Phòng Nội vụ", "commune": "Phòng Văn hóa - Xã hội"}
SUPERIOR = {"province": "Bộ Nội vụ", "district": "Sở Nội vụ", "commune": "Sở Nội vụ"}
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
    # why a criterion is on the focus list («hạng 27/27 (tự tính), giảm 3 năm liên tiếp»), by
    # (index code, the row's code); criteria chosen by hand from outside the list have none
    reasons: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    illustrative: bool = False
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
        given = self.plan_number
        return given if given != nd30.BLANK and "/" in given else f"{given}{NUMBER_SUFFIX}"

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
    (level,) = con.execute("SELECT level FROM entities WHERE entity_code = ?", [entity_code]).fetchone()
    rows = list(edited_rows) if edited_rows is not None else task_rows(con, entity_code, year, codes)
    in_plan = {r.index_code for r in rows}
    results = [it for it in b.indices if it.index_code in in_plan]
    plan_year = next_plan_year(year, today)
    weak = draft_rows(con, b.weak, entity_code) if len(b.weak) else b.weak
    reasons = {(r.index_code, r.code): list(r.reasons) for r in weak.itertuples()}
    return PlanDocument(
        issuer=_clean(authority(b.entity_name, level)), parent=None,
        place=_clean(place_name(b.entity_name, level)), entity_name=_clean(styled_name(b.entity_name, level)),
        results_year=int(year), plan_year=plan_year,
        # a plan is signed before its year begins (the 2023–2025 plan: 11/2023), or early in it
        issue_year=signed_on.year if signed_on else max(today.year, plan_year - 1), rows=rows, results=results,
        reasons=reasons, signed_on=signed_on, signer_name=_clean(signer_name), mark=mark,
        illustrative=any(r.is_illustrative for r in rows) or any(it.is_illustrative for it in results),
        plan_number=_clean(plan_number) or nd30.BLANK,
        coordinator=coordinator or coordinator_name(con, level) or COORDINATOR.get(level, COORDINATOR["commune"]),
        superior=SUPERIOR.get(level, SUPERIOR["commune"]))


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
    return (f"(Kèm theo Kế hoạch số {plan.number} ngày {plan.day} tháng {plan.month} năm {plan.issue_year} "
            f"của {plan.issuer})")


def _issuer_lines(issuer: str) -> str:
    """«UBND xã Vĩnh Lộc» → «Ủy ban nhân dân» / «xã Vĩnh Lộc»: the full name on two lines."""
    return "Ủy ban nhân dân\n" + issuer.removeprefix("UBND ") if issuer.startswith("UBND ") else issuer


def _lead(doc, plan: PlanDocument) -> None:
    nd30.add_paragraph(doc, f"Căn cứ kết quả {plan.index_names} năm {plan.results_year} của {plan.entity_name} "
                            "đã được công bố;")
    nd30.add_paragraph(doc, f"{plan.issuer} ban hành Kế hoạch duy trì, cải thiện và nâng cao {plan.index_names} "
                            f"{plan.entity_name} năm {plan.plan_year} với những nội dung như sau:")


def _purpose(doc, plan: PlanDocument) -> None:
    nd30.add_heading(doc, "I. MỤC ĐÍCH, YÊU CẦU")
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
    nd30.add_heading(doc, "II. NHIỆM VỤ, GIẢI PHÁP")
    results = {it.index_code: it for it in plan.results}
    for n, (code, rows) in enumerate(plan.by_index.items(), start=1):
        nd30.add_heading(doc, f"{n}. {_clean(INDEX_NAME.get(code, code))}")
        if code in results:
            nd30.add_paragraph(doc, _result_sentence(plan, results[code]))
        for k, r in enumerate(rows, start=1):
            nd30.add_paragraph(doc, task_text(plan, k, r))
            for label, text in unit_lines(r):
                nd30.add_paragraph(doc, f"- {label}: {text}" + ("" if text.endswith((".", nd30.BLANK)) else "."))
    nd30.add_paragraph(doc, "Các cơ quan, đơn vị xây dựng kế hoạch và tổ chức thực hiện các nhiệm vụ, giải pháp "
                            "tại các Phụ lục kèm theo Kế hoạch này phù hợp với tình hình thực tế của cơ quan, "
                            "đơn vị mình.")
    numbers = ", ".join(str(i) for i in range(1, len(plan.by_index) + 1))
    nd30.add_paragraph(doc, f"(Có Phụ lục số {numbers} kèm theo).", italic=True)


def task_text(plan: PlanDocument, k: int, r: TaskRow) -> str:
    """«(k) <code> <name>: » then why it was chosen, when known, and what to do."""
    why = "; ".join(_clean(x) for x in plan.reasons.get((r.index_code, r.code), []))
    why = f"năm {plan.results_year} {why}. R" if why else "r"
    return (f"{plan.mark}({k}) {_clean(r.code)} {_clean(r.name)}: {why}à soát các nội dung chưa đạt, làm rõ nguyên nhân; "
            "xây dựng và triển khai giải pháp cụ thể để cải thiện điểm số, thứ hạng của tiêu chí.")


def unit_lines(r: TaskRow) -> list[tuple[str, str]]:
    """The three lines under a task: the units as the table's cells write them (``_units``),
    «…» where no unit is named yet."""
    return [("Cơ quan chủ trì", _units(r.lead_units) or nd30.BLANK),
            ("Cơ quan phối hợp", _units(r.support_units) or nd30.BLANK),
            ("Thời gian thực hiện", _clean(r.timing) or nd30.BLANK)]


def _result_sentence(plan: PlanDocument, it: IndexTrend) -> str:
    rank = rank_text(it)
    minh_hoa = " (số liệu minh họa)" if it.is_illustrative else ""
    return (f"Năm {it.latest_year}, {_clean(short_label(it.index_code))} của {plan.entity_name} đạt "
            f"{vn(it.latest_points)} điểm, {rank}{minh_hoa}. Các tiêu chí cần tập trung cải thiện:")


def _organisation(doc, plan: PlanDocument) -> None:
    coordinator = _clean(plan.coordinator)
    nd30.add_heading(doc, "III. TỔ CHỨC THỰC HIỆN")
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
