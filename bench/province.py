"""A province's year of reporting, SYNTHETIC, and many offices saving at once: python -m bench.province.

    python -m bench.province [--db build/bench/province.duckdb] [--communes 166] [--savers 20]
                             [--rounds 5] [--undos 2] [--reuse] [--source build/chiso.duckdb]

Builds, from a copy of the shipped database (``--source``), Thanh Hóa as it would stand at the
end of 2026 if every commune reported: for each commune of the province (level ``commune``,
parent VN-38; the first ``--communes`` by code) a 2026 plan drafted and adopted through the
product's own path — «Trọng tâm năm tới»'s draft (metrics.criteria.focus_list on the commune's
2025 results, the first ten criteria, units proposed as for xã Vĩnh Lộc through
data/registry/office_crosswalk.csv, «Văn phòng HĐND và UBND xã» where nothing is proposed),
written as the .docx the page gives (exports.plan_document) and adopted by
store.adoption.adopt_plan — and its offices' reports for quý I, 6 tháng, quý III and năm 2026
(domain.illustrative.progress_reports), saved through store.progress.save_reports, one save per
commune and period, as the commune's coordinating office would enter them. Every plan and every
report is marked illustrative («[Minh họa]», ``is_illustrative``); the file lives under
build/bench/ and is never shipped.

Then ``--savers`` offices (each a department of its own commune, signed in as on «Tiến độ»)
save their annual report in ``--savers`` separate processes released together by a barrier,
``--rounds`` times: a serving process per office, as behind nginx. Printed: save latency
p50/p95/max (from the barrier to the save's return), and the checks — every save present
afterwards (each office's rows carry its last round's text and that save's audit line), one
audit line (import_log) per save, and undo per write: store.history.undo, as «Hoàn tác» on
«Tiến độ» calls it (``owner`` = the account), undoes the last write still in effect, ``--undos``
times, and each time only that save's rows change back, every other office's stay. Then a
TARGET line. Exit status 0 when every check holds (the target may be missed: a report), 1 when
a check fails.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import queue
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = ROOT / "build" / "bench" / "province.duckdb"
PROVINCE = "VN-38"
MODEL_ENTITY = "VN-38-15349"                 # xã Vĩnh Lộc: its proposal (office crosswalk) serves every commune
FALLBACK_LEAD = "Văn phòng HĐND và UBND xã"  # lead of a criterion nothing is proposed for
RESULTS_YEAR, PLAN_YEAR = 2025, 2026
SIGNED_ON = date(2025, 12, 26)
SIGNER = "[Minh họa] Người ký (mô phỏng)"
PERIODS = [(PLAN_YEAR, "Q1"), (PLAN_YEAR, "H1"), (PLAN_YEAR, "Q3"), (PLAN_YEAR, "Y")]
SAVE_PERIOD = "Y"                            # what the offices save at once: the annual report, due 20/12
SETUP_USER = "mô phỏng: Phòng Văn hóa - Xã hội"
TARGET_P95 = 1.0


def rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    import math

    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


# ---------------------------------------------------------------- building the province

def communes(con, n: int | None = None) -> list[tuple[str, str]]:
    """(code, name) of the province's communes, by code; the first ``n``."""
    rows = con.execute("SELECT entity_code, name FROM entities WHERE level = 'commune' AND parent_code = ? "
                       "ORDER BY entity_code", [PROVINCE]).fetchall()
    return rows[:n] if n else rows


_draft_con = None


SMALL_RUN = 10  # up to this many communes the plans are drafted in this process


def _open_for_drafting(path: str) -> None:
    global _draft_con
    from store import db

    _draft_con = db.open_read_only(Path(path))


def draft_plan(entity: str, number: str, out: str) -> str:
    """The commune's 2026 plan as «Trọng tâm năm tới» drafts it from its 2025 results (as
    tools/illustrative_year.py does for xã Vĩnh Lộc), written to ``out`` (.docx)."""
    from exports.briefing import task_rows_of
    from exports.plan_document import gather_plan_document, plan_document_docx
    from metrics import criteria, proposals
    from metrics.plan_draft import draft_rows
    from tools.illustrative_year import CHOSEN, DRAFTED_ON, MARK

    con = _draft_con
    focus = proposals.with_units(criteria.focus_list(con, entity, RESULTS_YEAR), proposals.proposal(con, MODEL_ENTITY))
    split = [proposals.one_lead(lead, support) for lead, support in zip(focus.lead_units, focus.support_units)]
    focus["lead_units"] = [lead if lead else [FALLBACK_LEAD] for lead, _ in split]
    focus["support_units"] = [support for _, support in split]
    rows = task_rows_of(draft_rows(con, focus.head(CHOSEN), entity))
    plan = gather_plan_document(con, entity, RESULTS_YEAR, edited_rows=rows, today=DRAFTED_ON, plan_number=number,
                                signed_on=SIGNED_ON, signer_name=SIGNER, mark=MARK)
    Path(out).write_bytes(plan_document_docx(plan))
    return out


def _fresh(target: Path, source: Path) -> None:
    """``target`` a copy of ``source``, with no snapshot, copy or evidence of an earlier run."""
    from store import db

    if rel(source) == rel(target):
        raise SystemExit("--db must not be the shipped database")
    target.parent.mkdir(parents=True, exist_ok=True)
    undone_rows = db.snapshot_dir(target).glob(f"{target.stem}.*.undone-report-*.csv")  # store/history.py
    for p in [*db.snapshots(target, undone=True), *db.temp_copies(target), *undone_rows]:
        p.unlink(missing_ok=True)
    tmp = target.with_name(target.name + ".building")
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)


def province_size(target: Path) -> dict:
    from store import db

    con = db.open_read_only(target)
    try:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("plans", "plan_adoptions", "plan_assignments", "progress_reports", "import_log")}
        counts["commune_plans"] = con.execute(
            "SELECT count(*) FROM plans p JOIN entities e USING (entity_code) JOIN plan_adoptions a USING (plan_id) "
            "WHERE e.level = 'commune' AND e.parent_code = ? AND p.year_from = ?", [PROVINCE, PLAN_YEAR]).fetchone()[0]
        counts["reports_2026"] = con.execute(
            "SELECT count(*) FROM progress_reports WHERE year = ? AND plan_id LIKE 'KH-2026-%'", [PLAN_YEAR]).fetchone()[0]
    finally:
        con.close()
    counts["mb"] = target.stat().st_size / (1 << 20)
    return counts


def build(target: Path, source: Path, n_communes: int | None, workers: int = 2, say=print) -> dict:
    """The synthetic province in ``target`` (see the module docstring); its size."""
    import pandas as pd

    from domain.illustrative import progress_reports
    from store import db
    from store.adoption import adopt_plan, plan_id_for
    from store.progress import duties, save_reports

    _fresh(target, source)
    con = db.open_read_only(target)
    try:
        places = communes(con, n_communes)
    finally:
        con.close()
    folder = target.parent / f"{target.stem}-plans"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    t0 = time.perf_counter()
    jobs = [(code, f"{k:02d}/KH-UBND", str(folder / f"ke-hoach-{code}-2026-mo-phong.docx"))
            for k, (code, _) in enumerate(places, 1)]
    # drafting reads only: two processes share the two cores; adopting writes, one after another
    if len(jobs) <= SMALL_RUN:  # a smoke run (the test's five communes): no pool to start or to lose
        global _draft_con
        _open_for_drafting(str(target))
        try:
            drafted = [draft_plan(*job) for job in jobs]
        finally:
            _draft_con.close()
            _draft_con = None
        workers = 1
    else:
        with ProcessPoolExecutor(workers, mp.get_context("spawn"), _open_for_drafting, (str(target),)) as pool:
            drafted = list(pool.map(draft_plan, *zip(*jobs)))
    t1 = time.perf_counter()
    say(f"drafted {len(drafted)} plans (.docx, exports.plan_document) in {t1 - t0:.1f} s ({workers} processes)")
    plans = []
    for (code, number, path), (_, name) in zip(jobs, places):
        a = adopt_plan(Path(path), code, number=number, signed_on=SIGNED_ON, signer=SIGNER, user=SETUP_USER,
                       db_file=target, today=SIGNED_ON, illustrative=True)
        assert a.plan_id == plan_id_for(code, PLAN_YEAR, PLAN_YEAR), a.plan_id
        plans.append((code, name, a.plan_id))
    t2 = time.perf_counter()
    say(f"adopted {len(plans)} plans (store.adoption.adopt_plan) in {t2 - t1:.1f} s")
    saves = 0
    for k, (code, name, plan_id) in enumerate(plans):
        con = db.open_read_only(target)
        try:  # in a fixed order: the reports are drawn at random with a fixed seed per commune
            plan_duties = duties(con, plan_id).sort_values(
                ["plan_id", "item_kind", "index_code", "item_code", "unit_code"]).reset_index(drop=True)
        finally:
            con.close()
        rows = pd.DataFrame(progress_reports(plan_duties, seed=2026 + k, periods=PERIODS)).assign(is_illustrative=True)
        for year, period in PERIODS:
            part = rows[(rows.year == year) & (rows.period == period)]
            if len(part):
                save_reports(target, part, user=SETUP_USER, file=f"(mô phỏng) {name} {period}/{year}")
                saves += 1
    t3 = time.perf_counter()
    say(f"saved the reports of {len(PERIODS)} periods in {saves} saves (store.progress.save_reports) "
        f"in {t3 - t2:.1f} s")
    return province_size(target)


# ---------------------------------------------------------------- many offices saving at once

def savers_for(target: Path, n: int) -> list[dict]:
    """``n`` offices that report on a commune plan of 2026: a department of each commune in
    turn (the first of every commune, then the second…), each with its duties."""
    from store import db
    from store.progress import duties

    con = db.open_read_only(target)
    try:
        plans = con.execute(
            "SELECT p.plan_id, p.entity_code, e.name FROM plans p JOIN entities e USING (entity_code) "
            "WHERE e.level = 'commune' AND e.parent_code = ? AND p.year_from = ? ORDER BY p.entity_code",
            [PROVINCE, PLAN_YEAR]).fetchall()
        per_plan = []
        for plan_id, entity, name in plans:
            d = duties(con, plan_id)
            d = d[d.unit_kind == "department"]
            units = sorted(d.unit_code.unique(), key=lambda u: (-int((d.unit_code == u).sum()), u))
            per_plan.append([(plan_id, entity, name, u, d[d.unit_code == u]) for u in units])
    finally:
        con.close()
    out, run = [], f"{time.strftime('%H%M%S')}"  # every run saves texts of its own: none is «unchanged»
    for depth in range(max((len(p) for p in per_plan), default=0)):
        for options in per_plan:
            if depth < len(options) and len(out) < n:
                plan_id, entity, name, unit, d = options[depth]
                keys = d[["plan_id", "item_kind", "index_code", "item_code", "unit_code"]].drop_duplicates()
                out.append({"i": len(out), "account": f"mô phỏng {len(out) + 1:02d}", "run": run, "plan_id": plan_id,
                            "entity": entity, "commune": name, "unit": unit,
                            "keys": keys.to_dict("records")})
    if len(out) < n:
        raise SystemExit(f"only {len(out)} offices report on the province's 2026 plans; --savers {n} is too many")
    return out


def text_of(saver: dict, rnd: int) -> str:
    return f"[Minh họa] {saver['account']}, lần lưu {rnd} ({saver['run']}): kết quả năm {PLAN_YEAR} (mô phỏng)"


def file_of(saver: dict, rnd: int) -> str:
    return f"(nhập trên trang, mô phỏng) {saver['account']} {saver['run']} lần {rnd}"


def rows_of(saver: dict, rnd: int):
    import pandas as pd

    return pd.DataFrame(saver["keys"]).assign(year=PLAN_YEAR, period=SAVE_PERIOD, status="in_progress",
                                              done_text=text_of(saver, rnd))


def _saver(target: str, saver: dict, rounds: int, barrier, results) -> None:
    """One serving process: save this office's annual report at the barrier, ``rounds`` times."""
    from access.auth import Scope
    from store.progress import save_reports

    scope = Scope(saver["account"], saver["unit"], saver["entity"])
    user = f"web: {saver['account']}"  # as «Tiến độ» logs a signed-in account
    frames = [rows_of(saver, r) for r in range(1, rounds + 1)]
    for r, rows in enumerate(frames, 1):
        barrier.wait()
        start = time.perf_counter()
        try:
            result = save_reports(Path(target), rows, user=user, scope=scope, file=file_of(saver, r))
            outcome = result.status
        except Exception as exc:  # noqa: BLE001 - every failure is a finding of the benchmark
            outcome = f"{exc.__class__.__name__}: {exc}"
        results.put((saver["i"], r, time.perf_counter() - start, outcome))


def measure(target: Path, savers: list[dict], rounds: int, say=print) -> dict:
    """Run the savers (one process each) for ``rounds`` rounds; latencies and outcomes."""
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(len(savers)), ctx.Queue()
    procs = [ctx.Process(target=_saver, args=(str(target), s, rounds, barrier, results)) for s in savers]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    try:
        got = [results.get(timeout=600) for _ in range(len(savers) * rounds)]
    except queue.Empty:
        for p in procs:
            p.terminate()
        raise SystemExit("the saving processes stopped answering (10 minutes without a save)") from None
    for p in procs:
        p.join(60)
    wall = time.perf_counter() - t0
    by_round: dict[int, list[float]] = {}
    for _, r, secs, _ in got:
        by_round.setdefault(r, []).append(secs)
    for r in sorted(by_round):
        v = by_round[r]
        say(f"  round {r}: {len(v)} saves, p50 {percentile(v, 50):.3f} s, max {max(v):.3f} s")
    return {"latencies": [g[2] for g in got], "outcomes": {(g[0], g[1]): g[3] for g in got}, "wall": wall}


# ---------------------------------------------------------------- checks

def _reports(con, saver: dict):
    return con.execute(
        "SELECT item_kind, index_code, item_code, status, done_text, import_id FROM progress_reports "
        "WHERE plan_id = ? AND unit_code = ? AND year = ? AND period = ? ORDER BY ALL",
        [saver["plan_id"], saver["unit"], PLAN_YEAR, SAVE_PERIOD]).fetchall()


def state(target: Path, savers: list[dict]) -> dict:
    """Each saver's annual report rows, the other reports' digest and the import log."""
    from store import db

    con = db.open_read_only(target)
    try:
        mine = {s["i"]: _reports(con, s) for s in savers}
        log = con.execute("SELECT import_id, user_name, action, file FROM import_log ORDER BY import_id").fetchall()
        digest = con.execute(
            "SELECT count(*), sum(hash(plan_id, item_kind, index_code, item_code, unit_code, year, period, status, "
            "done_text, import_id)) FROM progress_reports").fetchone()
    finally:
        con.close()
    return {"mine": mine, "log": log, "digest": digest}


def check_saved(before: dict, after: dict, savers: list[dict], rounds: int, outcomes: dict) -> list[str]:
    """Nothing lost and one audit line per save; the problems found (none = all held)."""
    problems = []
    for (i, r), outcome in sorted(outcomes.items()):
        if outcome != "saved":
            problems.append(f"office {i + 1}, round {r}: {outcome}")
    new_lines = [row for row in after["log"] if row[0] > max((b[0] for b in before["log"]), default=0)]
    for s in savers:
        for r in range(1, rounds + 1):
            lines = [row for row in new_lines if row[3] == file_of(s, r)]
            if len(lines) != 1 or lines[0][1] != f"web: {s['account']}" or lines[0][2] != "report":
                problems.append(f"office {s['i'] + 1}, round {r}: {len(lines)} audit lines {lines}")
        last = [row[0] for row in new_lines if row[3] == file_of(s, rounds)]
        rows = after["mine"][s["i"]]
        if len(rows) != len(s["keys"]):
            problems.append(f"office {s['i'] + 1}: {len(rows)} annual report rows, saved {len(s['keys'])}")
        wrong = [row for row in rows if row[4] != text_of(s, rounds) or [row[5]] != last]
        if wrong:
            problems.append(f"office {s['i'] + 1}: {len(wrong)} rows are not its last save: {wrong[:1]}")
    if len(new_lines) != len(savers) * rounds:
        problems.append(f"{len(new_lines)} new audit lines for {len(savers) * rounds} saves")
    return problems


def check_undo(target: Path, savers: list[dict], rounds: int, undos: int, say=print) -> list[str]:
    """Undo the last write still in effect ``undos`` times, as its office on «Tiến độ» would;
    each time only that office's rows go back to what they were before that save."""
    from store import db, history
    from store.audit import REPORT_ACTIONS

    problems = []
    by_account = {f"web: {s['account']}": s for s in savers}
    for k in range(undos):
        before = state(target, savers)
        con = db.open_read_only(target)
        try:
            last = con.execute(db.sql("last_write.sql")).df().iloc[0].to_dict()
        finally:
            con.close()
        s = by_account.get(last["user_name"])
        if s is None or last["action"] != "report":
            problems.append(f"undo {k + 1}: the last write is not a measured save: {last}")
            break
        rnd = int(last["file"].rsplit(" ", 1)[1])
        t0 = time.perf_counter()
        result = history.undo(target, user=last["user_name"], owner=last["user_name"], actions=REPORT_ACTIONS)
        took = time.perf_counter() - t0
        after = state(target, savers)
        say(f"  undo {k + 1}: «{result.undone['file']}» (#{result.undone['import_id']}) in {took:.3f} s")
        if result.undone["import_id"] != last["import_id"]:
            problems.append(f"undo {k + 1}: undid #{result.undone['import_id']}, the last write was #{last['import_id']}")
        changed = [t["i"] for t in savers if after["mine"][t["i"]] != before["mine"][t["i"]]]
        if changed != [s["i"]]:
            problems.append(f"undo {k + 1} of office {s['i'] + 1}: the rows of offices "
                            f"{[i + 1 for i in changed]} changed")
        texts = {row[4] for row in after["mine"][s["i"]]}
        if rnd > 1 and texts != {text_of(s, rnd - 1)}:
            problems.append(f"undo {k + 1}: office {s['i'] + 1}'s rows are not its save before: {sorted(texts)[:2]}")
        if rnd == 1 and text_of(s, 1) in texts:
            problems.append(f"undo {k + 1}: office {s['i'] + 1}'s first save is still there")
        # an undo puts back the state before the write, whose log has neither that write's line nor
        # an earlier undo's: those are said again in the new undo line
        gone = [row for row in before["log"] if row not in after["log"] and row[0] != last["import_id"]
                and row[2] != "undo"]
        newest = max(row[0] for row in before["log"])
        if gone or not any(row[2] == "undo" and row[0] > newest for row in after["log"]):
            problems.append(f"undo {k + 1}: audit lines lost {gone[:2]} or no undo line")
    return problems


# ---------------------------------------------------------------- the command

def command_line(args) -> str:
    parts = ["python -m bench.province"]
    if Path(args.db).resolve() != DEFAULT_DB.resolve():
        parts.append(f"--db {rel(Path(args.db))}")
    if Path(args.source).resolve() != Path(args.default_source).resolve():
        parts.append(f"--source {rel(Path(args.source))}")
    for name, default in (("communes", None), ("savers", 20), ("rounds", 5), ("undos", 2)):
        if getattr(args, name) != default:
            parts.append(f"--{name} {getattr(args, name)}")
    if args.reuse:
        parts.append("--reuse")
    return " ".join(parts)


def main(argv: list[str] | None = None) -> int:
    from store import db

    ap = argparse.ArgumentParser(prog="python -m bench.province", description=__doc__.split("\n")[0])
    ap.add_argument("--db", default=str(DEFAULT_DB), help="the synthetic province (default build/bench/province.duckdb)")
    ap.add_argument("--source", default=str(db.DEFAULT_DB), help="the shipped database it starts from")
    ap.add_argument("--communes", type=int, default=None, help="only the first N communes (default: all 166)")
    ap.add_argument("--savers", type=int, default=20, help="offices saving at the same moment (one process each)")
    ap.add_argument("--rounds", type=int, default=5, help="how many times they all save")
    ap.add_argument("--undos", type=int, default=2, help="undo the last write this many times after the rounds")
    ap.add_argument("--reuse", action="store_true", help="keep the province already built at --db")
    args = ap.parse_args(argv)
    args.default_source = str(db.DEFAULT_DB)
    target = Path(args.db)

    from bench.run import load_average, machine

    print(f"command: {command_line(args)}", flush=True)
    for line in machine():
        print(line)
    print(f"load average at start: {load_average()} (other work on the machine slows every figure)", flush=True)
    t0 = time.perf_counter()
    if args.reuse and target.exists():
        size = province_size(target)
        print(f"province: reused {rel(target)}")
    else:
        size = build(target, Path(args.source), args.communes, say=lambda s: print("  " + s, flush=True))
        print(f"province: built in {time.perf_counter() - t0:.0f} s")
    print(f"province: {rel(target)} {size['mb']:.1f} MB; {size['commune_plans']} commune plans of {PLAN_YEAR} "
          f"({size['plans']} plans, {size['plan_assignments']} plan_assignments), {size['progress_reports']} rows of "
          f"progress_reports ({size['reports_2026']} on the {PLAN_YEAR} plans), {size['import_log']} audit lines "
          "— ILLUSTRATIVE (synthetic), never shipped", flush=True)

    savers = savers_for(target, args.savers)
    before = state(target, savers)
    print(f"saving: {args.savers} offices in {args.savers} processes, released together by a barrier, "
          f"{args.rounds} rounds; each saves its annual report ({SAVE_PERIOD}/{PLAN_YEAR}, "
          f"{min(len(s['keys']) for s in savers)}–{max(len(s['keys']) for s in savers)} rows) "
          "through store.progress.save_reports", flush=True)
    run = measure(target, savers, args.rounds, say=print)
    lat = run["latencies"]
    p50, p95, worst = percentile(lat, 50), percentile(lat, 95), max(lat)
    print(f"save latency: p50 {p50:.3f} s, p95 {p95:.3f} s, max {worst:.3f} s over {len(lat)} saves "
          f"({run['wall']:.1f} s wall, processes' start included)")
    after = state(target, savers)
    problems = check_saved(before, after, savers, args.rounds, run["outcomes"])
    print(f"nothing lost: {'yes' if not problems else 'NO'}; audit lines: "
          f"{len(after['log']) - len(before['log'])} for {len(lat)} saves")
    undo_problems = check_undo(target, savers, args.rounds, args.undos, say=print)
    print(f"undo per write: {'yes' if not undo_problems else 'NO'} ({args.undos} undos, each reverted one save only)")
    for p in problems + undo_problems:
        print(f"PROBLEM: {p}")
    size = province_size(target)
    print(f"province after: {size['mb']:.1f} MB; snapshots kept: {len(db.snapshots(target, undone=True))}")
    print(f"TARGET save p95 ≤ {TARGET_P95:g} s: {'PASS' if p95 <= TARGET_P95 else 'FAIL'} (p95 {p95:.3f} s)")
    return 1 if problems or undo_problems else 0


if __name__ == "__main__":
    sys.exit(main())
