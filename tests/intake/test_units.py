"""Small pure pieces of intake: file names, type sniffing, text decoding, the step loop's cleanup order."""

import io
import unicodedata
import zipfile

import pytest

from registry.errors import ErrorCode
from registry.intake import BadFilenameError, IntakeError, IntakeInput, IntakeState, Step
from registry.intake.filenames import clean_filename
from registry.intake.formats import DOCX, sniff
from registry.intake.parsers import clean_text, decode_text
from registry.intake.pipeline import run_steps
from tests.intake import samples


def test_clean_filename_keeps_a_readable_nfc_base_name():
    assert clean_filename("..\\..\\windows\\Báo cáo.docx") == "Báo cáo.docx"
    assert clean_filename(unicodedata.normalize("NFD", "Tờ trình.pdf")) == "Tờ trình.pdf"
    assert clean_filename("a\u00adb\ufeff.pdf") == "ab.pdf"  # invisible format characters dropped
    long = "Đ" * 300 + ".pdf"
    assert len(clean_filename(long)) == 200 and clean_filename(long).endswith(".pdf")


@pytest.mark.parametrize("name", ["\u202egpj.exe", "a\x07b.pdf", "x\udc80.pdf", "\ue000.pdf", ".", " .. "])
def test_clean_filename_refuses(name):
    with pytest.raises(BadFilenameError) as caught:
        clean_filename(name)
    assert caught.value.code == ErrorCode.BAD_FILENAME


def test_docx_that_libmagic_sees_as_a_zip_is_recognised(tmp_path):
    """Reorder a DOCX so that libmagic cannot tell it from any ZIP: the members still say DOCX."""
    source = zipfile.ZipFile(io.BytesIO(samples.docx_bytes()))
    reordered = tmp_path / "reordered.docx"
    with zipfile.ZipFile(reordered, "w", zipfile.ZIP_DEFLATED) as out:
        for name in sorted(source.namelist(), key=lambda n: (n == "[Content_Types].xml", n)):
            out.writestr(name, source.read(name))
    assert sniff(reordered) == DOCX
    plain_zip = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain_zip, "w") as out:
        out.writestr("a.txt", "x")
    assert sniff(plain_zip) == "application/zip"


def test_decode_text_guesses_vietnamese_encodings():
    text = "Kính gửi: Ban Tổ chức Đảng ủy"
    assert decode_text(text.encode("utf-8")) == text
    assert decode_text(text.encode("utf-16-le")) == text  # no BOM: told by its NUL bytes
    assert unicodedata.normalize("NFC", decode_text(samples.cp1258_bytes(text))) == text
    assert clean_text("a\x00b\r\nc\x1b") == "ab\nc"


def test_failed_step_cleans_up_the_steps_that_ran_in_reverse(tmp_path):
    calls = []

    def make(name, fail=False, able=True):
        class _Step(Step):
            def able_to_run(self):
                return able

            def run(self):
                calls.append(f"run {name}")
                if fail:
                    raise IntakeError("hỏng", code=ErrorCode.DOCUMENT_DAMAGED)

            def cleanup(self):
                calls.append(f"cleanup {name}")

        _Step.name = name
        return _Step

    state = IntakeState(input=IntakeInput(path=tmp_path / "x", original_filename="x", size=1), workdir=tmp_path)
    with pytest.raises(IntakeError):
        run_steps([make("a"), make("skipped", able=False), make("b"), make("c", fail=True), make("d")], state)
    assert calls == ["run a", "run b", "run c", "cleanup c", "cleanup b", "cleanup a"]
