"""The sandbox: time and memory limits, crashes, and a decompression bomb through the real pipeline."""

import io
import time
import zlib

import pikepdf
import pytest

from registry.errors import ErrorCode
from registry.intake import IntakeError, PdfDamagedError, ResourceLimitError
from tests.tasks import register_file_committed as register_file
from registry.intake import sandbox
from registry.intake.sandbox import run_limited
from registry.models import Document
from tests.factories import make_metadata
from tests.intake import hostile, samples
from tests.intake.conftest import stored_files

GIB = 1024 ** 3


def test_result_and_typed_errors_cross_the_pipe():
    assert run_limited(hostile.echo, {"text": "Đảng ủy"}, timeout=10, memory=GIB) == {"text": "Đảng ủy"}
    with pytest.raises(PdfDamagedError) as caught:
        run_limited(hostile.refuse, timeout=10, memory=GIB)
    assert caught.value.message == "xref hỏng" and caught.value.details == {"problems": 3}


def test_wall_clock_limit_kills_the_child():
    started = time.monotonic()
    with pytest.raises(ResourceLimitError) as caught:
        run_limited(hostile.spin, 60, timeout=1, memory=GIB)
    assert time.monotonic() - started < 5
    assert caught.value.code == ErrorCode.RESOURCE_LIMIT and caught.value.details["limit"] == "time"


def test_memory_limit_is_a_refusal_not_a_crash():
    with pytest.raises(ResourceLimitError) as caught:
        run_limited(hostile.hog_memory, 2048, timeout=20, memory=GIB)
    assert caught.value.details["limit"] == "memory"
    assert run_limited(hostile.hog_memory, 64, timeout=20, memory=GIB) == 64  # the next file is fine


def test_a_parser_crash_is_contained():
    with pytest.raises(ResourceLimitError) as caught:
        run_limited(hostile.crash, timeout=10, memory=GIB)
    assert caught.value.details["limit"] == "crash"


def flate_bomb_pdf(megabytes=600) -> bytes:
    """A valid one-page PDF whose extra content stream inflates to ``megabytes`` of zeros (a few MB on disk).

    It is part of the page (a stream the page does not use is simply not copied into the rendition)."""
    pdf = pikepdf.open(io.BytesIO(samples.text_pdf(marker="bomb")))
    compressor = zlib.compressobj(1)
    chunk = bytes(1024 * 1024)
    data = b"".join(compressor.compress(chunk) for _ in range(megabytes)) + compressor.flush()
    bomb = pikepdf.Stream(pdf, data)
    bomb.Filter = pikepdf.Name.FlateDecode
    pdf.pages[0].contents_add(pdf.make_indirect(bomb))
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


@pytest.mark.django_db
def test_decompression_bomb_is_refused_within_the_time_limit(media, vanthu, write, settings):
    settings.REGISTRY_INTAKE_TIMEOUT_SECONDS = 1
    path = write("bomb.pdf", flate_bomb_pdf())
    rows, files = Document.objects.count(), stored_files(media)
    started = time.monotonic()
    with pytest.raises(IntakeError) as caught:
        register_file(path, meta=make_metadata(), actor=vanthu)
    # Whichever bound the bomb meets first (on a loaded machine it may fill the memory cap within the
    # second, and pdfium then aborts the child: "crash"); the wall-clock bound alone is shown by
    # test_wall_clock_limit_kills_the_child. The code a clerk and a script see is the same either way.
    assert caught.value.code == ErrorCode.RESOURCE_LIMIT
    assert caught.value.details["limit"] in ("time", "memory", "crash")
    assert time.monotonic() - started < 6
    assert Document.objects.count() == rows and stored_files(media) == files


@pytest.mark.django_db
def test_decompression_bomb_is_refused_within_the_memory_limit(media, vanthu, write, settings):
    settings.REGISTRY_INTAKE_MEMORY_BYTES = 512 * 1024 * 1024
    with pytest.raises(IntakeError) as caught:
        register_file(write("bomb.pdf", flate_bomb_pdf()), meta=make_metadata(), actor=vanthu)
    # qpdf reports the failed allocation ("memory"); pdfium aborts the child on it ("crash"): same code
    assert caught.value.code == ErrorCode.RESOURCE_LIMIT and caught.value.details["limit"] in ("memory", "crash")
    assert Document.objects.count() == 0 and stored_files(media) == set()


@pytest.mark.django_db
def test_image_bomb_is_refused(media, vanthu, write):
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")  # 400 megapixels, a few dozen kilobytes
    with pytest.raises(IntakeError) as caught:
        register_file(write("bomb.png", out.getvalue()), meta=make_metadata(), actor=vanthu)
    assert caught.value.code == ErrorCode.RESOURCE_LIMIT
    assert stored_files(media) == set()


@pytest.fixture
def fresh_pool():
    sandbox.shutdown()
    yield
    sandbox.shutdown()


def test_workers_are_reused_up_to_the_limit(fresh_pool):
    pids = [run_limited(hostile.pid, timeout=10, memory=GIB, reuse=3) for _ in range(4)]
    assert pids[0] == pids[1] == pids[2] != pids[3]


def test_worker_is_replaced_after_a_refusal_for_resources(fresh_pool):
    first = run_limited(hostile.pid, timeout=10, memory=GIB, reuse=10)
    with pytest.raises(ResourceLimitError):
        run_limited(hostile.spin, 60, timeout=1, memory=GIB, reuse=10)
    assert run_limited(hostile.pid, timeout=10, memory=GIB, reuse=10) != first
    assert sandbox._idle and all(w.process.is_alive() for w in sandbox._idle)


def test_leftovers_of_earlier_files_never_get_a_good_file_refused(fresh_pool):
    """A reused worker that runs out of memory because of what it kept from before retries in a fresh one."""
    limit = 700 * 1024 * 1024
    first = run_limited(hostile.hoard, 400, timeout=20, memory=limit, reuse=10)
    second = run_limited(hostile.hoard, 400, timeout=20, memory=limit, reuse=10)
    assert first != second  # the first worker could not take 400 MB more; a fresh one could
    with pytest.raises(ResourceLimitError):  # but a file that is too big for a fresh worker stays refused
        run_limited(hostile.hog_memory, 2048, timeout=20, memory=limit, reuse=10)
