"""xsd_vocabulary: every declared name of the document's schemas (XSD, RELAX NG compact and XML)."""

import hashlib

import dagster as dg

from resources.settings import SpecmillSettings
from resources.store_base import ArtifactStore
from schemas.artifacts import VOCABULARY
from schemas.vocabulary import Vocabulary
from specmill.vocabulary import load_vocabulary


@dg.asset(group_name="specmill", tags={"stage": "corpus"}, code_version="1", kinds={"xsd"})
def xsd_vocabulary(context: dg.AssetExecutionContext, settings: SpecmillSettings, store: ArtifactStore) -> dg.MaterializeResult:
    """Element, attribute, type, group and define names and enumeration values, each with kind and
    source file, from settings.schema_paths (directories, zips or files). Malformed schema files
    are listed and skipped; no schema paths gives an empty vocabulary (names are then not checked)."""
    if settings.schema_paths:
        vocabulary = load_vocabulary(settings.schema_paths)
    else:
        context.log.warning("no schema_paths configured (SPECMILL_SCHEMAS): names will not be verified")
        vocabulary = Vocabulary(roots=[], files=[], names=[])
    for skipped in vocabulary.skipped:
        context.log.warning(f"schema file skipped: {skipped.path}: {skipped.reason}")
    store.write_model(VOCABULARY, vocabulary)
    digest = hashlib.sha256(vocabulary.model_dump_json().encode()).hexdigest()
    return dg.MaterializeResult(
        metadata={
            "schema_files": len(vocabulary.files),
            "skipped_files": len(vocabulary.skipped),
            "skipped": dg.MetadataValue.json([s.model_dump() for s in vocabulary.skipped[:50]]),
            "names_by_kind": dg.MetadataValue.json(vocabulary.counts()),
            "declarations_by_kind": dg.MetadataValue.json(vocabulary.declaration_counts),
            "elements": vocabulary.counts().get("element", 0),
            "attributes": vocabulary.counts().get("attribute", 0),
            "vocabulary_path": dg.MetadataValue.path(store.uri(VOCABULARY)),
        },
        data_version=dg.DataVersion(digest),
    )
