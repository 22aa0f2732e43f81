"""Verification (the `corrected_corpus` stage): the names of the clause tree checked against the
schema vocabulary and against the PDF's own text, garbles the PDF disproves corrected, and
printed schema listings replaced by the authoritative declarations."""

from specmill.verify.check import ClauseFile, NameIndex, confusion_key, verify_files
from specmill.verify.corpus import clause_files, clause_files_in
from specmill.verify.source import PageTextWords, PdfPageWords, page_words
from specmill.verify.tokens import NameToken, NameTokenCache, extract_name_tokens

__all__ = [
    "ClauseFile", "NameIndex", "NameToken", "NameTokenCache", "PageTextWords", "PdfPageWords", "clause_files", "clause_files_in", "confusion_key",
    "extract_name_tokens", "page_words", "verify_files",
]
