"""``registry search``: query the archive as a user, or look after the index.

    registry search "126 QĐ TW" --as USERNAME [--level …] [--type …] [--issuer …] [--direction …]
                    [--from YYYY-MM-DD --to YYYY-MM-DD] [--register ID] [--place CODE] [--page N] --json
    registry search status [--deep] [--json]      drift between database and index
    registry search reconcile [--deep] [--json]   repair that drift
    registry search rebuild                       rebuild the whole index (progress bar on stderr)

A first positional argument equal to status/reconcile/rebuild is the subcommand; anything else is a query.
"""

import json
import sys

from django.core.management.base import BaseCommand

from registry.audit.context import RequestContext
from registry.errors import ErrorCode, PermissionDeniedError, RegistryError

SUBCOMMANDS = ("status", "reconcile", "rebuild")


class Command(BaseCommand):
    help = "Tìm kiếm tài liệu theo quyền của người dùng; kiểm tra, đối soát, dựng lại chỉ mục."

    def add_arguments(self, parser):
        parser.add_argument("words", nargs="*", help="status | reconcile | rebuild | nội dung tìm kiếm")
        parser.add_argument("--as", dest="as_user", default="", help="tìm với quyền của người dùng này")
        parser.add_argument("--level", action="append", default=[], help="độ mật (lặp lại được)")
        parser.add_argument("--type", dest="doc_type", action="append", default=[], help="tên loại, ví dụ QĐ")
        parser.add_argument("--issuer", default="", help="cơ quan ban hành (đúng tên)")
        parser.add_argument("--direction", default="", choices=["", "den", "di"])
        parser.add_argument("--from", dest="date_from", default="", help="từ ngày YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", default="", help="đến ngày YYYY-MM-DD")
        parser.add_argument("--register", default="", help="mã số (id) sổ đăng ký")
        parser.add_argument("--place", default="", help="mã vị trí lưu trữ (gồm cả các vị trí bên trong)")
        parser.add_argument("--page", type=int, default=1)
        parser.add_argument("--per-page", type=int, default=20)
        parser.add_argument("--deep", action="store_true", help="so cả nội dung (chậm hơn)")
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")

    def handle(self, *args, **options):
        words = options["words"]
        if words and words[0] in SUBCOMMANDS:
            code = getattr(self, f"_{words[0]}")(options)
        else:
            code = self._query(" ".join(words), options)
        if code:
            sys.exit(code)

    def _emit(self, options, payload, text):
        self.stdout.write(json.dumps(payload, ensure_ascii=False) if options["json"] else text)

    def _fail(self, options, error: RegistryError) -> int:
        if options["json"]:
            self.stdout.write(json.dumps(error.as_dict(), ensure_ascii=False))
        else:
            self.stderr.write(f"Lỗi [{error.code}]: {error.message}")
        return 1

    # -- query -------------------------------------------------------------------------------------------
    def _query(self, query, options) -> int:
        import search
        from registry.models import User

        username = options["as_user"]
        user = User.objects.filter(username=username).first() if username else None
        if user is None:
            return self._fail(options, RegistryError(f"Không có người dùng «{username}» (dùng --as USERNAME).",
                                                     code=ErrorCode.UNKNOWN_USER))
        try:
            filters = search.SearchFilters.from_mapping({
                "level": options["level"], "type": options["doc_type"], "issuer": options["issuer"],
                "direction": options["direction"], "from": options["date_from"], "to": options["date_to"],
                "register": options["register"], "place": options["place"],
            })
        except ValueError as exc:
            return self._fail(options, RegistryError(str(exc), code=ErrorCode.INVALID_METADATA))
        try:
            results = search.search(query, user, filters, page=options["page"], per_page=options["per_page"],
                                    ctx=RequestContext.for_cli("search"))
        except PermissionDeniedError as exc:
            return self._fail(options, exc)
        payload = {"total": results.total, "hits": [h.as_dict() for h in results.hits], "facets": results.facets}
        lines = [f"{results.total} kết quả (trang {results.page}/{results.pages})"]
        for h in results.hits:
            flag = " [ĐÃ HỦY SỐ]" if h.voided else ""
            lines.append(f"  #{h.id}  {h.number or '—'}  [{h.level}]  {h.title}{flag}  ({h.score:.2f})")
        self._emit(options, payload, "\n".join(lines))
        return 0

    # -- index maintenance --------------------------------------------------------------------------------
    def _status(self, options) -> int:
        import search

        report = search.status(deep=options["deep"])
        text = (f"Chỉ mục ({report.backend}): {report.in_index} mục; cơ sở dữ liệu: {report.in_database} tài liệu.\n"
                f"Thiếu: {len(report.missing)}  Cũ: {len(report.stale)}  Thừa: {len(report.orphaned)}  "
                f"→ {'khớp' if not report.drift else 'lệch ' + str(report.drift)}")
        self._emit(options, report.as_dict(), text)
        return 0

    def _reconcile(self, options) -> int:
        import search

        before = search.reconcile(deep=options["deep"])
        after = search.status(deep=options["deep"])
        payload = {"repaired": before.as_dict(), "drift": after.drift}
        text = (f"Đã sửa: thiếu {len(before.missing)}, cũ {len(before.stale)}, thừa {len(before.orphaned)}. "
                f"Còn lệch: {after.drift}.")
        self._emit(options, payload, text)
        return 0 if after.drift == 0 else 2

    def _rebuild(self, options) -> int:
        from tqdm import tqdm

        import search
        from registry.models import Document

        with tqdm(total=Document.objects.count(), desc="Đánh chỉ mục", unit="tài liệu", file=sys.stderr,
                  disable=None) as bar:
            count = search.rebuild(progress=bar.update)
        self._emit(options, {"indexed": count}, f"Đã dựng lại chỉ mục: {count} tài liệu.")
        return 0
