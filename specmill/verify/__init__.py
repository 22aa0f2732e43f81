"""Name verification: name-context tokens of the clause tree, checked against the schema
vocabulary and against the PDF's own text."""

from specmill.verify.check import ClauseFile, NameIndex, confusion_key, verify_files
from specmill.verify.corpus import clause_files
from specmill.verify.source import PdfPageWords, page_words
from specmill.verify.tokens import NameToken, extract_name_tokens

__all__ = [
    "ClauseFile", "NameIndex", "NameToken", "PdfPageWords", "clause_files", "confusion_key", "extract_name_tokens",
    "page_words", "verify_files",
]
