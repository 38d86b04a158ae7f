"""The allow-list sanitiser: a rendition holds only what a page needs to be seen, whatever path the active
content takes in the original. One test per hostile path (tests/intake/hostile.py), each scanning every
object of the rendition and of a marked copy made from it (tests/intake/scan.py)."""

import io

import pikepdf
import pytest
from django.core.files.storage import default_storage

from tests.tasks import register_file_committed as register_file
from registry.marking import Marks, new_copy_id, stamp_pdf
from tests.factories import make_metadata
from tests.intake import hostile, samples
from tests.intake.conftest import plain_text
from tests.intake.scan import scan

pytestmark = pytest.mark.django_db


def marked_copy(rendition: bytes) -> bytes:
    return stamp_pdf(rendition, Marks(level="mat", copy_number=1, copy_id=new_copy_id(), username="canbo"))


def check_clean(media, vanthu, write, name):
    data = hostile.HOSTILE_PDFS[name]()
    assert scan(data), "the hostile file must carry something for the test to mean anything"
    document = register_file(write(f"{name}.pdf", data), meta=make_metadata(), actor=vanthu)
    with default_storage.open(document.file.name) as f:
        assert f.read() == data  # the original is kept as received
    with default_storage.open(document.rendition.name) as f:
        rendition = f.read()
    assert scan(rendition) == set()
    for needle in (b"payload", b"app.alert", b"attacker.invalid", b"cmd.exe", b"/bin/sh", b"MZ ",
                   "Bí mật".encode("utf-16-be")):
        assert needle not in rendition
    copy = marked_copy(rendition)
    # the marked copy carries its own trace (document info and XMP with the copy id), nothing active
    assert scan(copy, docinfo_allowed=True, xmp_allowed=True) == set()
    with pikepdf.open(io.BytesIO(copy)) as pdf:
        assert len(pdf.pages) == 1
        assert "/Annots" not in pdf.pages[0].obj and "/AcroForm" not in pdf.Root
    assert f"hostile {name.replace('_', '-')}"[:8] in plain_text(document)  # the page is still there
    return document, rendition


@pytest.mark.parametrize("name", sorted(hostile.HOSTILE_PDFS))
def test_hostile_path_is_sanitised(media, vanthu, write, name):
    check_clean(media, vanthu, write, name)


def test_widget_parent_aa_javascript(media, vanthu, write):
    check_clean(media, vanthu, write, "widget_parent_aa_javascript")


def test_widget_annotations_without_acroform(media, vanthu, write):
    check_clean(media, vanthu, write, "widget_without_acroform")


def test_struct_element_p_to_af_embedded_file(media, vanthu, write):
    check_clean(media, vanthu, write, "struct_p_af_embedded_file")


def test_pa_javascript(media, vanthu, write):
    check_clean(media, vanthu, write, "pa_javascript")


def test_popup_javascript(media, vanthu, write):
    check_clean(media, vanthu, write, "popup_javascript")


def test_parent_js_and_launch(media, vanthu, write):
    check_clean(media, vanthu, write, "parent_js_and_launch")


def test_embedded_payload_file_attachment(media, vanthu, write):
    check_clean(media, vanthu, write, "file_attachment_annotation")


def test_open_action_javascript(media, vanthu, write):
    check_clean(media, vanthu, write, "open_action_javascript")


def test_names_tree_javascript(media, vanthu, write):
    check_clean(media, vanthu, write, "names_tree_javascript")


def test_page_aa_and_uri_link(media, vanthu, write):
    check_clean(media, vanthu, write, "page_aa_and_uri_link")


def test_resources_carrying_active_keys(media, vanthu, write):
    _, rendition = check_clean(media, vanthu, write, "resources_carry_active_keys")
    with pikepdf.open(io.BytesIO(rendition)) as pdf:  # the image and the form are still drawn
        assert set(pdf.pages[0].Resources.XObject.keys()) == {"/Im1", "/Fm1"}


def test_xfa_and_acroform_javascript(media, vanthu, write):
    check_clean(media, vanthu, write, "xfa_and_acroform_javascript")


def test_rich_media_annotation(media, vanthu, write):
    check_clean(media, vanthu, write, "rich_media_annotation")


def test_unreachable_objects_docinfo_and_xmp(media, vanthu, write):
    check_clean(media, vanthu, write, "unreachable_javascript_object")


def test_annotation_appearance_is_flattened_without_its_active_resources(media, vanthu, write):
    _, rendition = check_clean(media, vanthu, write, "annotation_appearance_with_active_resources")
    with pikepdf.open(io.BytesIO(rendition)) as pdf:  # the stamp's appearance is now part of the page
        assert any(str(k).startswith("/Fxo") for k in pdf.pages[0].Resources.get("/XObject", {}).keys())


def test_widget_appearance_flattened_and_field_gone(media, vanthu, write):
    _, rendition = check_clean(media, vanthu, write, "widget_without_acroform")
    with pikepdf.open(io.BytesIO(rendition)) as pdf:  # the button's appearance is drawn by the page now
        forms = [x.read_bytes() for x in pdf.pages[0].Resources.XObject.values()]
        assert any(b"0 0 1 rg 0 0 80 20 re f" in data for data in forms)


def test_old_sample_hostile_pdf(media, vanthu, write):
    document = register_file(write("hostile.pdf", samples.hostile_pdf()), meta=make_metadata(), actor=vanthu)
    with default_storage.open(document.rendition.name) as f:
        rendition = f.read()
    assert scan(rendition) == set()
    assert scan(marked_copy(rendition), docinfo_allowed=True, xmp_allowed=True) == set()
