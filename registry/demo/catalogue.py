"""What the demo office holds: the Party Committee of the Ministry of Industry and Trade preparing its
3rd congress (2020–2025 term). Numbers, dates and titles follow the seed document in shared/seeds."""

UNITS = [
    ("VP", "Văn phòng Đảng ủy"),
    ("BTC", "Ban Tổ chức Đảng ủy"),
    ("UBKT", "Ủy ban Kiểm tra Đảng ủy"),
    ("BTG", "Ban Tuyên giáo Đảng ủy"),
]

# (code, name, kind, parent code)
LOCATIONS = [
    ("KHO-1", "Kho lưu trữ Đảng ủy", "store", None),
    ("KHO-1/P301", "Phòng 301", "room", "KHO-1"),
    ("KHO-1/P301/KET-1", "Két sắt số 1", "cabinet", "KHO-1/P301"),
    ("KHO-1/P301/KET-1/N1", "Ngăn 1", "shelf", "KHO-1/P301/KET-1"),
    ("KHO-1/P301/KET-1/N1/H01", "Hộp 01 — Nhân sự Đại hội", "box", "KHO-1/P301/KET-1/N1"),
    ("KHO-1/P301/KET-1/N2", "Ngăn 2", "shelf", "KHO-1/P301/KET-1"),
    ("KHO-1/P301/KET-1/N2/H02", "Hộp 02 — Văn kiện Đại hội", "box", "KHO-1/P301/KET-1/N2"),
    ("KHO-1/P301/TU-2", "Tủ tài liệu số 2", "cabinet", "KHO-1/P301"),
    ("KHO-1/P301/TU-2/G1", "Giá 1", "shelf", "KHO-1/P301/TU-2"),
    ("KHO-1/P301/TU-2/G1/H03", "Hộp 03 — Văn bản chỉ đạo", "box", "KHO-1/P301/TU-2/G1"),
]

DOSSIERS = [
    ("HS-NS-2020", "Hồ sơ nhân sự Đại hội Đảng bộ Bộ Công Thương lần thứ III", "KHO-1/P301/KET-1/N1/H01"),
    ("HS-VK-2020", "Hồ sơ văn kiện Đại hội Đảng bộ Bộ Công Thương lần thứ III", "KHO-1/P301/KET-1/N2/H02"),
]

# username, full name, role, clearance, unit code
PEOPLE = [
    ("vanthu", "Nguyễn Thị Thu", "clerk", "tuyet_mat", "VP"),
    ("canbo.thuong", "Trần Văn Bình", "staff", "thuong", "BTG"),
    ("canbo.mat", "Lê Thị Mai", "staff", "mat", "VP"),
    ("canbo.toimat", "Phạm Quốc Hùng", "staff", "toi_mat", "BTC"),
    ("canbo.tuyetmat", "Hoàng Minh Tuấn", "staff", "tuyet_mat", "BTC"),
    ("baomat", "Đỗ Thị Hạnh", "auditor", "toi_mat", "UBKT"),
    ("quantri", "Vũ Đức Anh", "admin", "mat", "VP"),
]
DEMO_PASSWORD = "daihoi2020"

D = "Đảng ủy Bộ Công Thương"
DOCUMENTS = [
    dict(direction="den", level="thuong", number="126-QĐ/TW", type="QĐi", issuer="Bộ Chính trị",
         date="2018-02-28", arrival="2018-03-05", title="Quy định một số vấn đề về bảo vệ chính trị nội bộ Đảng",
         summary="Quy định về bảo vệ chính trị nội bộ Đảng", signer="T/M Bộ Chính trị", location="KHO-1/P301/TU-2/G1/H03",
         unit="BTC", paragraphs=[7, 2]),
    dict(direction="den", level="thuong", number="39-CT/TW", type="CT", issuer="Bộ Chính trị", date="2014-08-18",
         arrival="2014-08-25", title="Chỉ thị về tăng cường công tác bảo vệ chính trị nội bộ trong tình hình hiện nay",
         summary="Tăng cường công tác bảo vệ chính trị nội bộ", signer="T/M Bộ Chính trị", location="KHO-1/P301/TU-2/G1/H03",
         unit="BTC", paragraphs=[2, 3]),
    dict(direction="den", level="mat", number="19-HD/BTCTW", type="HD", issuer="Ban Tổ chức Trung ương",
         date="2019-09-12", arrival="2019-09-20",
         title="Hướng dẫn thực hiện một số điều trong Quy định số 126-QĐ/TW",
         summary="Hướng dẫn thực hiện Quy định 126-QĐ/TW về bảo vệ chính trị nội bộ", signer="Trưởng ban",
         location="KHO-1/P301/TU-2/G1/H03", unit="BTC", paragraphs=[4, 5]),
    dict(direction="den", level="thuong", number="29/2018/QH14", type="L", issuer="Quốc hội", date="2018-11-15",
         arrival="2019-01-10", title="Luật Bảo vệ bí mật nhà nước", summary="Luật Bảo vệ bí mật nhà nước",
         location="KHO-1/P301/TU-2/G1/H03", unit="VP", paragraphs=[6]),
    dict(direction="den", level="thuong", number="26/2020/NĐ-CP", type="NĐ", issuer="Chính phủ", date="2020-02-28",
         arrival="2020-03-04", title="Nghị định quy định chi tiết một số điều của Luật Bảo vệ bí mật nhà nước",
         summary="Quy định chi tiết Luật Bảo vệ bí mật nhà nước", location="KHO-1/P301/TU-2/G1/H03", unit="VP",
         paragraphs=[6]),
    dict(direction="den", level="thuong", number="24/2020/TT-BCA", type="TTư", issuer="Bộ Công an",
         date="2020-03-10", arrival="2020-03-16", title="Thông tư ban hành biểu mẫu sử dụng trong công tác bảo vệ bí mật nhà nước",
         summary="Biểu mẫu sổ đăng ký, dấu mật", location="KHO-1/P301/TU-2/G1/H03", unit="VP", paragraphs=[6]),
    dict(direction="den", level="thuong", number="2663/VPCP-NC", type="CV", issuer="Văn phòng Chính phủ",
         date="2020-04-08", arrival="2020-04-10", title="Công văn về việc triển khai Luật Bảo vệ bí mật nhà nước",
         summary="Triển khai Luật Bảo vệ bí mật nhà nước", urgency="khan", unit="VP", paragraphs=[6]),
    dict(direction="di", level="mat", number="110-HD/ĐU", type="HD", issuer=D, date="2020-02-24",
         title="Hướng dẫn rà soát tiêu chuẩn chính trị phục vụ đại hội đảng các cấp nhiệm kỳ 2020-2025",
         summary="Hướng dẫn các tổ chức đảng trực thuộc rà soát tiêu chuẩn chính trị", signer="Bí thư Đảng ủy",
         recipients="Các tổ chức đảng trực thuộc; Lưu VP", location="KHO-1/P301/KET-1/N2/H02", unit="BTC",
         copies=45, paragraphs=[0, 1, 2]),
    dict(direction="di", level="mat", number="28-QĐ/ĐUB", type="QĐ", issuer=D, date="2020-01-15",
         title="Quyết định thành lập Tiểu ban nhân sự Đại hội Đảng bộ Bộ Công Thương lần thứ III",
         summary="Thành lập Tiểu ban nhân sự Đại hội", signer="Bí thư Đảng ủy", recipients="Như Điều 3; Lưu VP",
         location="KHO-1/P301/KET-1/N1/H01", dossier="HS-NS-2020", unit="BTC", copies=12, paragraphs=[0]),
    dict(direction="di", level="toi_mat", number="35-BC/ĐU", type="BC", issuer=D, date="2020-04-20",
         title="Báo cáo kết quả rà soát tiêu chuẩn chính trị nhân sự dự kiến tham gia cấp ủy khóa mới",
         summary="Kết quả rà soát tiêu chuẩn chính trị nhân sự cấp ủy", signer="Phó Bí thư Thường trực",
         recipients="Ban Tổ chức Trung ương; Lưu VP", location="KHO-1/P301/KET-1/N1/H01", dossier="HS-NS-2020",
         unit="BTC", copies=5, recall=True, paragraphs=[4, 5]),
    dict(direction="di", level="tuyet_mat", number="12-TTr/ĐU", type="TTr", issuer=D, date="2020-05-06",
         title="Tờ trình về phương án nhân sự Ban Chấp hành Đảng bộ nhiệm kỳ 2020-2025", signer="Bí thư Đảng ủy",
         recipients="Bộ Chính trị; Ban Tổ chức Trung ương", location="KHO-1/P301/KET-1/N1/H01",
         dossier="HS-NS-2020", unit="BTC", copies=3, named=True, urgency="thuong_khan", paragraphs=[5]),
    dict(direction="di", level="tuyet_mat", number="01-BB/TBNS", type="BB", issuer="Tiểu ban nhân sự Đại hội",
         date="2020-05-02", title="Biên bản họp Tiểu ban nhân sự thảo luận danh sách giới thiệu nhân sự",
         signer="Trưởng Tiểu ban", location="KHO-1/P301/KET-1/N1/H01", dossier="HS-NS-2020", unit="BTC", copies=2,
         recall=True, paragraphs=[5, 4]),
    dict(direction="den", level="toi_mat", number="47-KL/UBKT", type="KL", issuer="Ủy ban Kiểm tra Trung ương",
         date="2020-03-30", arrival="2020-04-02",
         title="Kết luận thẩm tra, xác minh lý lịch nhân sự dự kiến tham gia Ban Chấp hành",
         summary="Kết luận thẩm tra, xác minh về tiêu chuẩn chính trị", location="KHO-1/P301/KET-1/N1/H01",
         dossier="HS-NS-2020", unit="UBKT", urgency="khan", paragraphs=[4]),
    dict(direction="di", level="mat", number="05-KH/ĐU", type="KH", issuer=D, date="2020-01-10",
         title="Kế hoạch tổ chức Đại hội Đảng bộ Bộ Công Thương lần thứ III, nhiệm kỳ 2020-2025",
         summary="Kế hoạch tổ chức Đại hội", signer="Bí thư Đảng ủy", recipients="Các đảng bộ, chi bộ trực thuộc",
         location="KHO-1/P301/KET-1/N2/H02", dossier="HS-VK-2020", unit="VP", copies=60, paragraphs=[1, 2]),
    dict(direction="di", level="mat", number="02-BC/ĐH", type="BC", issuer="Ban Chấp hành Đảng bộ", date="2020-06-15",
         title="Dự thảo Báo cáo chính trị trình Đại hội Đảng bộ Bộ Công Thương lần thứ III",
         summary="Dự thảo Báo cáo chính trị (tài liệu phát tại Đại hội)", signer="Ban Chấp hành Đảng bộ",
         recipients="Đại biểu dự Đại hội", location="KHO-1/P301/KET-1/N2/H02", dossier="HS-VK-2020", unit="BTG",
         copies=300, recall=True, paragraphs=[7, 3, 2]),
    dict(direction="di", level="toi_mat", number="09-ĐA/ĐU", type="ĐA", issuer=D, date="2020-06-01",
         title="Phương án bảo vệ an ninh, an toàn Đại hội Đảng bộ Bộ Công Thương lần thứ III",
         summary="Bảo vệ an ninh, an toàn Đại hội; bảo vệ bí mật tài liệu", signer="Phó Bí thư Thường trực",
         recipients="Công an; Văn phòng Bộ", location="KHO-1/P301/KET-1/N2/H02", dossier="HS-VK-2020", unit="VP",
         copies=8, recall=True, paragraphs=[6, 1]),
    dict(direction="di", level="mat", number="15-QC/ĐH", type="QC", issuer="Đoàn Chủ tịch Đại hội", date="2020-06-20",
         title="Quy chế làm việc của Đại hội Đảng bộ Bộ Công Thương lần thứ III",
         summary="Quy chế làm việc, bầu cử tại Đại hội", location="KHO-1/P301/KET-1/N2/H02", dossier="HS-VK-2020",
         unit="VP", copies=300, paragraphs=[1]),
    dict(direction="di", level="thuong", number="16-CTr/ĐH", type="CTr", issuer="Đoàn Chủ tịch Đại hội",
         date="2020-06-20", title="Chương trình Đại hội Đảng bộ Bộ Công Thương lần thứ III",
         summary="Chương trình làm việc của Đại hội", unit="VP", copies=300, paragraphs=[1]),
    dict(direction="di", level="mat", number="120-TB/ĐU", type="TB", issuer=D, date="2020-07-02",
         title="Thông báo kết luận của Ban Thường vụ Đảng ủy về công tác chuẩn bị nhân sự",
         summary="Kết luận của Ban Thường vụ về chuẩn bị nhân sự Đại hội", signer="T/M Ban Thường vụ",
         location="KHO-1/P301/KET-1/N1/H01", dossier="HS-NS-2020", unit="BTC", copies=20, paragraphs=[3, 4]),
    dict(direction="den", level="mat", number="312-CV/ĐUK", type="CV", issuer="Đảng ủy Khối các cơ quan Trung ương",
         date="2020-02-10", arrival="2020-02-12",
         title="Công văn về việc chuẩn bị văn kiện và nhân sự đại hội đảng bộ trực thuộc",
         summary="Chuẩn bị văn kiện và nhân sự đại hội", urgency="hoa_toc", location="KHO-1/P301/KET-1/N2/H02",
         unit="VP", paragraphs=[1, 2]),
    dict(direction="den", level="thuong", number="05-CT/TW", type="CT", issuer="Bộ Chính trị", date="2016-05-15",
         arrival="2016-05-25", title="Chỉ thị về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
         summary="Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh", location="KHO-1/P301/TU-2/G1/H03",
         unit="BTG", paragraphs=[2]),
    # Paper-only: kept in the safe, no scan.
    dict(direction="den", level="toi_mat", number="88-BC/BTCTW", type="BC", issuer="Ban Tổ chức Trung ương",
         date="2020-05-20", arrival="2020-05-22", title="Báo cáo thẩm định hồ sơ nhân sự (bản giấy)",
         summary="Thẩm định hồ sơ nhân sự", location="KHO-1/P301/KET-1/N1/H01", dossier="HS-NS-2020", unit="BTC",
         paper=True),
]

# Need-to-know grants: (username, document number, days valid, reason)
GRANTS = [
    ("canbo.toimat", "35-BC/ĐU", 365, "Thành viên Tiểu ban nhân sự"),
    ("canbo.toimat", "47-KL/UBKT", 365, "Thành viên Tiểu ban nhân sự"),
    ("canbo.tuyetmat", "12-TTr/ĐU", 365, "Trưởng Tiểu ban nhân sự"),
    ("baomat", "09-ĐA/ĐU", 365, "Kiểm tra công tác bảo vệ bí mật Đại hội"),
]
# Dossier-wide grant: the personnel-subcommittee head may read the whole personnel dossier.
DOSSIER_GRANTS = [
    ("canbo.tuyetmat", "HS-NS-2020", 365, "Trưởng Tiểu ban nhân sự"),
    # The records clerk keeps both congress dossiers, so sees (and prints) every entry in them.
    ("vanthu", "HS-NS-2020", 365, "Văn thư quản lý hồ sơ nhân sự Đại hội"),
    ("vanthu", "HS-VK-2020", 365, "Văn thư quản lý hồ sơ văn kiện Đại hội"),
]
