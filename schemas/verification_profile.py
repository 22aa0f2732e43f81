"""Document profile, `verification:` section: how names are checked and corrected.

Add to DocumentProfile as `verification: VerificationRules = Field(default_factory=VerificationRules)`."""

from typing import Literal

from pydantic import Field, model_validator

from schemas.base import Contract
from schemas.patterns import checked_regex


class NameCorrection(Contract):
    """A vetted garble -> name correction, applied only where the text uses `garble` as a name.

    `kind` scopes it: a garble that spells another real name (`algn` for `align`) must be
    corrected only where the context shows the kind the evidence showed (here: attribute)."""

    garble: str = Field(min_length=1)
    name: str = Field(min_length=1)
    kind: Literal["element", "attribute", "any"] = "any"
    sections: list[str] = Field(default_factory=list, description="Section keys it is limited to; empty = everywhere.")


class Overlay(Contract):
    """A last-resort text edit of one section, applied after every other correction."""

    section: str
    find: str = Field(min_length=1)
    replace: str
    regex: bool = False

    @model_validator(mode="after")
    def _find_compiles(self) -> "Overlay":
        if self.regex:
            checked_regex(self.find)
        return self


class BenignName(Contract):
    """A token that is known not to be a garble (a name from another vocabulary, a placeholder)."""

    token: str
    sections: list[str] = Field(default_factory=list, description="Limited to these sections; empty = everywhere.")
    reason: str = "declared benign in the document profile"


class VerificationRules(Contract):
    similarity: float = Field(default=80.0, ge=50, le=100, description="Minimum rapidfuzz ratio for a token to be 'close' to a vocabulary name.")
    min_token_length: int = Field(default=3, ge=1, description="Shorter tokens are not checked (too many near neighbours).")
    max_length_difference: int = Field(default=2, ge=0, description="A suggestion may differ in length from the token by at most this.")
    foreign_prefixes: list[str] = Field(default_factory=list, description="Prefixes of other vocabularies (`mc`, `ds`): their names are not checked.")
    corrections: list[NameCorrection] = Field(default_factory=list)
    apply_confirmed: bool = Field(
        default=True,
        description="Also correct, in their own section, the garbles the PDF disproves beyond doubt: its pages print the "
        "suggested name and no other name as close. False: only the profile's corrections apply, every garble waits for vetting.",
    )
    overlays: list[Overlay] = Field(default_factory=list)
    benign: list[BenignName] = Field(default_factory=list)
    schema_dump_min_declarations: int = Field(default=3, ge=1, description="A section whose listings declare at least this many top-level names is a schema dump.")
    declaration_similarity: float = Field(default=90.0, ge=50, le=100, description="Minimum ratio for a fuzzy declaration-name match.")
    replacement_threshold: float = Field(default=0.99, ge=0, le=1, description="Check: share of printed declarations that must be replaced.")

    @model_validator(mode="after")
    def _no_identity_corrections(self) -> "VerificationRules":
        same = [c.garble for c in self.corrections if c.garble == c.name]
        if same:
            raise ValueError(f"corrections that change nothing: {same}")
        return self
