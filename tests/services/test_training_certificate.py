"""What is known about a training record's certificate, without its bytes, on both backends."""

from __future__ import annotations

from dataclasses import replace
from hashlib import sha256

import pytest

from pipe_app.services.errors import NotFound
from tests.services.test_training import KW, MGR, course, entry, service


def test_certificate_names_the_file_and_its_size(world):
    mgr = service(world)
    row = mgr.record(entry(world, course(world).id))
    assert mgr.certificate(row.id) is None
    first = mgr.attach_certificate(row.id, row.version, "cert.pdf", "application/pdf", b"%PDF-1")
    about = mgr.certificate(row.id)
    assert about is not None
    assert (about.file_name, about.media_type, about.size_bytes) == (
        "cert.pdf",
        "application/pdf",
        6,
    )
    assert about.id == first.certificate_attachment_id
    assert about.sha256 == sha256(b"%PDF-1").hexdigest()

    again = mgr.attach_certificate(row.id, first.version, "scan.png", "image/png", b"\x89PNG..")
    replaced = mgr.certificate(row.id)
    assert replaced is not None and replaced.id == again.certificate_attachment_id
    assert (replaced.file_name, replaced.size_bytes) == ("scan.png", 6)
    assert service(world, KW).certificate(row.id) == replaced  # readers at the site see it


def test_saving_the_record_again_keeps_the_certificate(world):
    mgr = service(world)
    row = mgr.record(entry(world, course(world).id))
    with_file = mgr.attach_certificate(row.id, row.version, "c.pdf", "application/pdf", b"%PDF")
    data = replace(
        entry(world, row.course_id, notes="Renewed"),
        certificate_attachment_id=with_file.certificate_attachment_id,
    )
    mgr.update(row.id, with_file.version, data)
    assert mgr.certificate_content(row.id) == b"%PDF"


def test_another_sites_certificate_is_not_found(world):
    mgr = service(world)
    row = mgr.record(entry(world, course(world).id))
    mgr.attach_certificate(row.id, row.version, "c.pdf", "application/pdf", b"%PDF")
    with pytest.raises(NotFound):
        service(world, MGR, "kirk").certificate(row.id)
