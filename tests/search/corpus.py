"""A small archive for the search contract suite, registered through the real actions, then indexed."""

import datetime as dt
from dataclasses import dataclass

from registry.constants import Level, Role
from registry.models import Document, Dossier, StorageLocation
from tests.factories import make_document, make_user

SECRET_TUYET = "quorbzylith"  # appears only in the tuyet_mat document
SECRET_TOI = "vexmarundel"  # appears only in the toi_mat document
SECRET_MAT = "plinthowarg"  # appears only in the mat document
SECRET_ISSUER = "Ban Kín Quorbzylith"  # issuer only of the tuyet_mat document


@dataclass
class Corpus:
    docs: dict
    clerk: object
    dossier: Dossier

    def __getitem__(self, key):
        return self.docs[key]


def _with_text(doc, text):
    Document.objects.filter(pk=doc.pk).update(extracted_text=text)
    doc.refresh_from_db()
    return doc


def build_corpus() -> Corpus:
    import search

    clerk = make_user(role=Role.CLERK, clearance=Level.TUYET_MAT)
    store = StorageLocation.objects.create(code="KHO1", name="Kho 1", kind="store")
    room = StorageLocation.objects.create(code="P101", name="Phòng 101", kind="room", parent=store)
    box = StorageLocation.objects.create(code="H07", name="Hộp 07", kind="box", parent=room)
    dossier = Dossier.objects.create(code="HS-NS-01", title="Hồ sơ nhân sự đại hội", location=box)
    common = dict(clerk=clerk, issuer="Ban Chấp hành Trung ương", issue_date=dt.date(2020, 1, 15))
    docs = {}
    docs["qd126"] = make_document(
        level=Level.THUONG, number="126-QĐ/TW", doc_type="QĐ",
        title="Quy định về bảo vệ chính trị nội bộ Đảng", summary="Trách nhiệm của cấp ủy các cấp",
        **common)
    docs["qd12"] = make_document(level=Level.THUONG, number="12-QĐ/TW", doc_type="QĐ",
                                 title="Quyết định thành lập tiểu ban văn kiện", **common)
    docs["hd126"] = make_document(level=Level.THUONG, number="126-HD/ĐU", doc_type="HD",
                                  issuer="Đảng ủy Bộ Công Thương", issue_date=dt.date(2021, 3, 2),
                                  title="Hướng dẫn tổ chức đại hội chi bộ", direction="di")
    docs["nd26"] = make_document(level=Level.THUONG, number="26/2020/NĐ-CP", doc_type="NĐ", issuer="Chính phủ",
                                 issue_date=dt.date(2020, 2, 28),
                                 title="Nghị định quy định chi tiết Luật Bảo vệ bí mật nhà nước")
    docs["mention"] = make_document(level=Level.THUONG, number="7-BC/ĐU", doc_type="BC",
                                    title="Báo cáo 126 trang về QĐ của TW và tình hình thực hiện", **common)
    docs["dang"] = make_document(level=Level.THUONG, number="31-NQ/ĐU", doc_type="NQ",
                                 title="Nghị quyết về công tác xây dựng Đảng", issue_date=dt.date(2022, 5, 5),
                                 clerk=clerk, issuer="Đảng ủy Bộ Công Thương")
    docs["dang_ky"] = make_document(level=Level.THUONG, number="32-KH/ĐU", doc_type="KH",
                                    title="Kế hoạch về công tác đăng ký", issue_date=dt.date(2022, 5, 6),
                                    clerk=clerk, issuer="Đảng ủy Bộ Công Thương")
    docs["mat"] = make_document(level=Level.MAT, number="40-BC/ĐU", doc_type="BC", location="P101",
                                title=f"Báo cáo nhân sự {SECRET_MAT} khóa mới", **common)
    docs["toi_mat"] = make_document(level=Level.TOI_MAT, number="41-BC/ĐU", doc_type="BC", dossier="HS-NS-01",
                                    title=f"Báo cáo thẩm tra {SECRET_TOI} lý lịch", **common)
    docs["tuyet_mat"] = make_document(level=Level.TUYET_MAT, number="42-TB/TW", doc_type="TB",
                                      issuer=SECRET_ISSUER, issue_date=dt.date(2019, 6, 1), clerk=clerk,
                                      title=f"Thông báo kết luận {SECRET_TUYET} về nhân sự")
    _with_text(docs["qd126"], "Điều 1. Phạm vi điều chỉnh. Quy định này quy định về bảo vệ chính trị nội bộ Đảng "
                              "trong tình hình mới và trách nhiệm của tổ chức đảng.")
    _with_text(docs["tuyet_mat"], f"Nội dung kết luận {SECRET_TUYET} tuyệt đối không phổ biến.")
    _with_text(docs["toi_mat"], f"Thẩm tra lý lịch {SECRET_TOI} của nhân sự dự kiến.")
    for doc in docs.values():
        doc.refresh_from_db()
    search.index_documents([doc.pk for doc in docs.values()])
    return Corpus(docs, clerk, dossier)
