"""Schema vocabularies: every declared name of a set of XSD, RELAX NG compact and RELAX NG XML files."""

from specmill.vocabulary.loader import SchemaFile, VocabularyError, load_vocabulary, read_schema_files, vocabulary_from_files

__all__ = ["SchemaFile", "VocabularyError", "load_vocabulary", "read_schema_files", "vocabulary_from_files"]
