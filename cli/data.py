"""The data commands: python -m loaders {build,import,import-plan,check,template,illustrative,
set-password,undo,backup,restore}. They live here, on the top layer, because they drive store/
and access/; loaders/__main__.py only runs this module, so the documented command still works
(python -m cli.data does the same).

Exit codes: 0 success; 2 invalid input (every problem listed, database unchanged), or
another fault the person can fix and the message names (a folder given as the file, a full
disk: how much is free and needed); 1 internal error; 130 interrupted (cli/common.py).
Everything printed has its control characters removed (cli/common.say).

``--format json`` (build, import, import-plan, check, undo, backup, restore, template,
illustrative): the Vietnamese lines are replaced by one JSON object on stdout at the end,
e.g. build ``{"db", "rows": {index: n}, "total", "conflicts", "seconds"}``, import ``{"status", "file", "rows",
"added", "replaced", "kept", "removed", "conflicts" (how many recorded in source_conflicts),
"conflict_messages" (the first 20), "replace_breakdown", "years", "indices", "seconds"}``; a failure prints
``{"error": "<Vietnamese message>", "exit": code}`` (cli/common.py). Progress stays on stderr.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from domain.vocabulary import DATA_DIR, INDEX_CODES
from store.audit import ACTION_VI
from store import build as store_build, history, importing
from store import db
from cli.common import Clock, Parser, emit_json, fail, format_parent, parse, progress as _progress, run, say


def main(argv: list[str] | None = None) -> int:
    p = Parser(prog="python -m loaders", description="Xây dựng và nạp cơ sở dữ liệu chỉ số.")
    sub = p.add_subparsers(dest="command", required=True)
    fmt = [format_parent()]
    s = sub.add_parser("build", parents=fmt, help="dựng lại toàn bộ cơ sở dữ liệu từ thư mục data/")
    s.add_argument("--db")
    s.add_argument("--data", help="thư mục dữ liệu khác data/ (ví dụ bộ dữ liệu đo hiệu năng)")
    s = sub.add_parser("import", parents=fmt, help="kiểm tra rồi nạp một tệp điểm (CSV, XLSX, XLS, Parquet)")
    s.add_argument("file")
    s.add_argument("--db")
    s.add_argument("--index", choices=INDEX_CODES)
    s.add_argument("--kind", choices=["auto", "tidy", "publisher"], default="auto")
    s.add_argument("--data", help="thư mục dữ liệu (danh mục, bộ tiêu chí) khác data/")
    s.add_argument("--replace-breakdown", action="store_true",
                   help="thay toàn bộ số liệu của mỗi (chỉ số, năm, đơn vị) có trong tệp, kể cả tiêu chí tệp không nêu "
                        "(mặc định: mỗi dòng chỉ thay số liệu nó nêu, số liệu chi tiết khác giữ nguyên)")
    s = sub.add_parser("import-plan", parents=fmt, help="nạp bảng phân công của một kế hoạch (.md, .docx, .xlsx)")
    s.add_argument("file")
    s.add_argument("--plan-id", required=True)
    s.add_argument("--entity", help="đơn vị ban hành kế hoạch (tên hoặc mã), khi data/plans.csv chưa có dòng của kế hoạch")
    s.add_argument("--db")
    s = sub.add_parser("check", parents=fmt, help="chỉ kiểm tra một tệp, không nạp")
    s.add_argument("file")
    s.add_argument("--index", choices=INDEX_CODES)
    s.add_argument("--kind", choices=["auto", "tidy", "publisher"], default="auto")
    s = sub.add_parser("template", parents=fmt, help="ghi mẫu nhập điểm (CSV hoặc XLSX)")
    s.add_argument("out")
    sub.add_parser("illustrative", parents=fmt,
                   help="tạo lại số liệu minh họa cấp huyện 2021–2024 và cấp xã năm đầu sau sắp xếp (data/illustrative/)")
    s = sub.add_parser("set-password", help="đặt mật khẩu cho việc nạp dữ liệu trên web (lưu dạng băm)")
    s.add_argument("--user", help="tài khoản của một người (tên người đó); không có thì đặt mật khẩu dùng chung")
    s.add_argument("--unit", help="gắn tài khoản với một cơ quan (mã hoặc tên trong data/registry/units.csv): chỉ báo cáo "
                                  "tiến độ cho cơ quan đó; «-» = tài khoản quản trị; không ghi = giữ như cũ")
    s.add_argument("--entity", help="đơn vị (xã, phường, huyện; tên hoặc mã) mà cơ quan --unit thuộc về: tài khoản chỉ "
                                    "thấy kế hoạch, báo cáo của đơn vị đó; bắt buộc khi cơ quan có ở nhiều đơn vị")
    s.add_argument("--remove", action="store_true", help="xóa tài khoản --user")
    s.add_argument("--secrets", default=str(db.ROOT / ".streamlit" / "secrets.toml"),
                   help="tệp secrets.toml cần ghi (mặc định .streamlit/secrets.toml)")
    s = sub.add_parser("undo", parents=fmt, help="hoàn tác lần ghi gần nhất (nạp tệp, nạp kế hoạch, dựng lại, khôi phục)")
    s.add_argument("--db")
    s = sub.add_parser("backup", parents=fmt, help="sao lưu cơ sở dữ liệu ra một tệp (an toàn khi ứng dụng đang chạy)")
    s.add_argument("out")
    s.add_argument("--db")
    s = sub.add_parser("restore", parents=fmt, help="khôi phục cơ sở dữ liệu từ một bản sao lưu (hoàn tác được)")
    s.add_argument("backup")
    s.add_argument("--db")
    args = parse(p, argv)
    as_json = getattr(args, "format", "text") == "json"
    clock = Clock()

    def done(text: str, **fields) -> None:
        """The command's result: its Vietnamese line, or with --format json one object."""
        if as_json:
            emit_json({**fields, "seconds": clock.seconds()})
        else:
            say(text)

    try:
        if args.command == "build":
            out = store_build.build(args.db and Path(args.db), Path(args.data) if args.data else DATA_DIR, progress=_progress)
            total = sum(out["rows"].values())
            done(f"Đã dựng {out['db']}: {total} dòng điểm (" + ", ".join(f"{k} {v}" for k, v in out["rows"].items()) + ")",
                 db=out["db"], rows=out["rows"], total=total, conflicts=len(out["conflicts"]))
        elif args.command == "import":
            r = importing.import_file(Path(args.file), args.db and Path(args.db), index_code=args.index,
                              reader=args.kind, progress=_progress,
                              data_dir=Path(args.data) if args.data else DATA_DIR,
                              replace_breakdown=args.replace_breakdown)
            text = importing.import_summary(r)
            text += "".join(f"\n  - {m}" for m in importing.shown_conflicts(r))
            done(text, status=r.status, file=args.file, rows=r.rows, added=r.added, replaced=r.replaced, kept=r.kept,
                 removed=r.removed, conflicts=r.conflicts, conflict_messages=r.conflict_messages,
                 replace_breakdown=r.replace_breakdown,
                 years=list(r.years), indices=list(r.indices))
        elif args.command == "import-plan":
            n = importing.import_plan(Path(args.file), args.plan_id, args.db and Path(args.db), entity_code=args.entity)
            done(f"Đã nạp kế hoạch {args.plan_id}: {n} dòng phân công.", plan_id=args.plan_id, file=args.file, rows=n)
        elif args.command == "check":
            df = importing.check_file(Path(args.file), index_code=args.index, reader=args.kind)
            indices, years = sorted(df.index_code.unique()), sorted(int(y) for y in df.year.unique())
            done(f"Tệp hợp lệ: {len(df)} dòng; chỉ số {', '.join(indices)}; năm {', '.join(map(str, years))}.",
                 valid=True, file=args.file, rows=len(df), indices=indices, years=years)
        elif args.command == "template":
            from loaders.tidy import template_bytes

            out = Path(args.out)
            out.write_bytes(template_bytes("xlsx" if out.suffix.lower() == ".xlsx" else "csv"))
            done(f"Đã ghi mẫu nhập {out}", out=str(out))
        elif args.command == "set-password":
            return _set_password(Path(args.secrets), args.user, args.remove, args.unit, args.entity)
        elif args.command == "undo":
            r = history.undo(args.db and Path(args.db))
            u = r.undone
            if r.corrupt is not None:
                text = (f"Tệp cơ sở dữ liệu không đọc được (hỏng) nên đã được để riêng thành {r.corrupt}; cơ sở dữ "
                        "liệu trở về trạng thái đã lưu trước lần ghi gần nhất.")
            elif u["import_id"] is None:
                text = "Không có tệp cơ sở dữ liệu: đã đưa về trạng thái đã lưu trước lần ghi gần nhất."
            else:
                text = (f"Đã hoàn tác lần {ACTION_VI.get(u['action'], u['action'])} #{u['import_id']} (tệp {u['file']}, "
                        f"{u['user_name']}, {u['imported_at']:%d/%m/%Y %H:%M}). Trạng thái vừa bỏ vẫn được giữ ở {r.kept}.")
            done(text, action=u["action"], action_vi=ACTION_VI.get(u["action"], u["action"]), file=u["file"],
                 import_id=u["import_id"], user=u["user_name"], imported_at=u["imported_at"], kept=r.kept and str(r.kept),
                 corrupt=str(r.corrupt) if r.corrupt else None)
        elif args.command == "backup":
            out = history.backup(Path(args.out), args.db and Path(args.db))
            done(f"Đã sao lưu vào {out}. Khôi phục: «python -m loaders restore {out}».", out=str(out))
        elif args.command == "restore":
            n = history.restore(Path(args.backup), args.db and Path(args.db))
            done(f"Đã khôi phục từ {args.backup}: {n} dòng điểm. Muốn quay lại trạng thái trước: «python -m loaders undo».",
                 backup=args.backup, rows=n)
        elif args.command == "illustrative":
            from domain.illustrative import regenerate
            from store.progress import duties

            live = db.db_path(args.db) if getattr(args, "db", None) else db.db_path()
            plan_duties = None
            if live.exists():  # the progress reports need the plan's duties, read from the built database
                ro = db.open_read_only(live)
                try:
                    plan_duties = duties(ro)
                finally:
                    ro.close()
            outs = regenerate(db.ROOT, plan_duties)
            if live.exists():  # the commune's 2026 plan and its reports: drafted and adopted on the built database
                from tools.illustrative_year import generate

                outs += generate(live, db.ROOT)
            done("Đã ghi " + "; ".join(str(o) for o in outs), out=[str(o) for o in outs])
    except Exception as exc:  # noqa: BLE001 - the last line of defence for a user at a terminal
        return fail(exc, as_json)
    return 0


def _unit_code(text: str | None) -> str | None:
    """The unit code an account is tied to (--unit, a code or a name of data/registry/units.csv);
    None for «-» or nothing; InputError if no unit has that code or name."""
    from domain.problems import InputError
    from domain.units import UnitRegistry

    if text is None or text.strip() in ("", "-"):
        return None
    units = UnitRegistry.load(DATA_DIR / "registry")
    code = text.strip() if units.find(text.strip()) else units.lookup(text)
    if code is None:
        raise InputError(f"Không có cơ quan «{text}» trong data/registry/units.csv (ghi mã, ví dụ phong_noi_vu, "
                         "hoặc tên như trong kế hoạch).")
    return code


def _is_province(entity_code: str) -> bool:
    from domain.entities import EntityRegistry

    reg = EntityRegistry.load(DATA_DIR / "registry")
    return entity_code in reg.codes() and reg.level(entity_code) == "province"


def _entity_name(code: str) -> str:
    """«xã Tây Đô», «huyện Vĩnh Lộc»: the entity in running text."""
    from domain.entities import EntityRegistry, styled_name

    entities = EntityRegistry.load(DATA_DIR / "registry")
    return styled_name(entities.name(code), entities.level(code))


def _entity_of(unit_code: str, entity: str | None) -> str:
    """The entity code an account of ``unit_code`` is tied to: --entity (a name or a code of the
    registry, at the level of the unit's plans), or the one entity data/home.csv serves at that
    level; InputError when unknown, of another level, or not one."""
    from access.auth import legacy_entity
    from domain.entities import LEVEL_LABEL, EntityRegistry
    from domain.problems import InputError
    from domain.units import UnitRegistry

    level = UnitRegistry.load(DATA_DIR / "registry").unit_level(unit_code)
    entities = EntityRegistry.load(DATA_DIR / "registry")
    if entity is None or not entity.strip():
        code = legacy_entity(unit_code)
        if code is None:
            raise InputError(f"Cơ quan «{unit_code}» có ở nhiều đơn vị (mỗi xã, phường có một): ghi --entity \"Xã …\" "
                             "để tài khoản chỉ thấy báo cáo của xã, phường đó.")
        return code
    code = entity.strip() if entity.strip() in entities.codes() else (
        entities.resolve(entity, level=level or None) or entities.resolve(entity))
    if code is None:
        raise InputError(f"Không nhận ra đơn vị «{entity}»" + (f" ({LEVEL_LABEL.get(level, level)})" if level else "")
                         + ": " + entities.explain_failure(entity, level=level or None))
    if level and entities.level(code) != level:
        raise InputError(f"Cơ quan «{unit_code}» thuộc kế hoạch {LEVEL_LABEL.get(level, level)}, không thuộc "
                         f"{_entity_name(code)} ({LEVEL_LABEL.get(entities.level(code), '')}).")
    return code


def _set_password(out: Path, user: str | None, remove: bool, unit: str | None = None, entity: str | None = None) -> int:
    """Write one account's (or the shared) password hash into the secrets file; 2 if refused."""
    import getpass

    from access.auth import KEEP, binding_text, hash_password, read_auth, update_secrets

    if unit is not None and not user:
        say("--unit cần --user: chỉ tài khoản riêng mới gắn được với một cơ quan.", err=True)
        return 2
    if entity is not None and (unit is None or unit.strip() in ("", "-")):
        say("--entity đi cùng --unit: đơn vị mà cơ quan đó thuộc về.", err=True)
        return 2
    unit_code = KEEP if unit is None else _unit_code(unit)
    entity_code = _entity_of(unit_code, entity) if isinstance(unit_code, str) else None
    binding = binding_text(entity_code, unit_code) if isinstance(unit_code, str) else unit_code

    if remove:
        if not user or user not in (read_auth(out).get("users") or {}):
            say(f"Không có tài khoản «{user}» trong {out}; không thay đổi gì.", err=True)
            return 2
        stored = None
    else:
        if sys.stdin.isatty():
            first, second = getpass.getpass("Mật khẩu mới: "), getpass.getpass("Nhập lại: ")
        else:  # piped in, e.g. from a deployment script: one line, read once
            first = second = sys.stdin.readline().rstrip("\n")
        if first != second:
            say("Hai lần nhập không khớp; mật khẩu chưa được đặt.", err=True)
            return 2
        if len(first) < 8:
            say("Mật khẩu cần ít nhất 8 ký tự; chưa được đặt.", err=True)
            return 2
        stored = hash_password(first)
    text = update_secrets(out, user=user, stored_hash=stored, unit=binding)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.chmod(0o600)
    os.replace(tmp, out)
    who = f"tài khoản «{user}»" if user else "mật khẩu dùng chung"
    done = "Đã xóa" if remove else "Đã lưu mã băm (không lưu mật khẩu gốc) cho"
    from access.auth import PROVINCE_OFFICES
    from domain.progress import coordinators

    where = f" của {_entity_name(entity_code)}" if entity_code else ""
    tied = ("" if not isinstance(unit_code, str) and unit != "-" else " Tài khoản quản trị (không gắn cơ quan)."
            if not isinstance(unit_code, str) else
            f" Tài khoản của cơ quan đầu mối «{unit_code}»{where}: xem và nhập báo cáo tiến độ của mọi cơ quan "
            f"trong kế hoạch của đơn vị này (không của đơn vị khác)."
            if unit_code in coordinators().values() else
            f" Tài khoản của «{unit_code}»{where}: mở trang «Toàn tỉnh» (mọi xã, phường của tỉnh), chỉ xem."
            if unit_code in PROVINCE_OFFICES and entity_code and _is_province(entity_code) else
            f" Tài khoản gắn với cơ quan mã «{unit_code}»{where}: chỉ báo cáo tiến độ cho cơ quan đó.")
    say(f"{done} {who} trong {out}.{tied} Khởi động lại ứng dụng để áp dụng.")
    return 0


if __name__ == "__main__":
    run(main)
