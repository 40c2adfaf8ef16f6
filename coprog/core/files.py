"""Uploaded documents: checked by content, not by name, and stored with their SHA-256."""

from __future__ import annotations

import hashlib

from flask import current_app
from flask_babel import gettext as _

from .models import StoredFile

PDF_MAGIC = b"%PDF-"


class UploadError(ValueError):
    """A message for the user, in Italian, about why the file was refused."""


def read_pdf_upload(upload) -> tuple[str, bytes]:
    """Return (filename, bytes) of an uploaded PDF, or raise UploadError."""
    limit = current_app.config["COPROG_MAX_ATTACHMENT_BYTES"]
    data = upload.read(limit + 1)
    if not data:
        raise UploadError(_("Il file è vuoto."))
    if len(data) > limit:
        raise UploadError(
            _("Il file supera la dimensione massima di %(mb)s MB.", mb=limit // (1024 * 1024))
        )
    # Name and declared type are the sender's word; the bytes are the evidence.
    if not data.startswith(PDF_MAGIC) or b"%%EOF" not in data[-2048:]:
        raise UploadError(_("Il file non è un PDF valido: carica un documento in formato PDF."))
    return _safe_filename(upload.filename or "documento.pdf"), data


def _safe_filename(name: str) -> str:
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "documento.pdf"
    return name[:200]


def store(filename: str, data: bytes, content_type: str, *, by=None) -> StoredFile:
    return StoredFile(
        filename=filename,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_by_id=getattr(by, "id", None),
    )


P7M_NAMES = (".p7m",)


def read_signed_upload(upload) -> tuple[str, bytes, str]:
    """A signed document: a PDF (PAdES) or a CAdES envelope (.p7m, DER or Base64).

    Returns (filename, bytes, content type) or raises UploadError."""
    filename = _safe_filename(upload.filename or "documento")
    if not filename.lower().endswith(P7M_NAMES):
        name, data = read_pdf_upload(upload)
        return name, data, "application/pdf"
    limit = current_app.config["COPROG_MAX_ATTACHMENT_BYTES"]
    data = upload.read(limit + 1)
    if not data:
        raise UploadError(_("Il file è vuoto."))
    if len(data) > limit:
        raise UploadError(
            _("Il file supera la dimensione massima di %(mb)s MB.", mb=limit // (1024 * 1024))
        )
    # A CMS SignedData starts with a DER SEQUENCE (0x30), or "MI" once Base64-encoded.
    if not (data[:1] == b"\x30" or data.lstrip()[:2] == b"MI"):
        raise UploadError(_("Il file .p7m non è una busta firmata valida."))
    return filename, data, "application/pkcs7-mime"
