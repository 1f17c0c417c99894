"""The publication types of the reference registry and what each counts as (constants only).

Apart from :mod:`il2kg.dataset.model` (which types its ``Reference.type`` field with them), so that
a read command can name a type (``il2kg show``, ``il2kg path``) without importing pydantic.
"""

from __future__ import annotations

from typing import Final

#: How each publication type reads in messages and citations (the keys are ``model.PubType``).
PUB_TYPE_NAMES: Final[dict[str, str]] = {
    "primary_research": "primary research paper",
    "clinical_trial_report": "clinical trial report",
    "regulatory_label": "regulatory label",
    "database_record": "database record",
    "review": "review",
    "meta_analysis": "meta-analysis",
    "guideline": "guideline",
    "web_page": "web page",
    "press_news": "press or news item",
}
#: What a claim may rest on: a curator read it in one of these.
PRIMARY_TYPES: Final[frozenset[str]] = frozenset(
    {"primary_research", "clinical_trial_report", "regulatory_label", "database_record"}
)
#: Secondary literature: may stand beside primary sources, not instead of them.
REVIEW_TYPES: Final[frozenset[str]] = frozenset({"review", "meta_analysis", "guideline"})
#: Pointers only: never the support of a claim.
WEAK_TYPES: Final[frozenset[str]] = frozenset({"web_page", "press_news"})
#: The species a source is about when it does not say: human.
HUMAN: Final = "NCBITaxon:9606"
