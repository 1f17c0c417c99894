"""One invalid YAML file per validation rule, each failing with its own exact message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from il2kg import DataError, KnowledgeGraph
from il2kg.cli import cli

from .conftest import FIXTURE_KB, FIXTURES

INVALID = FIXTURES / "invalid"

EXPECTED: dict[str, list[str]] = {
    "only_refuting_evidence": [
        "data/only_refuting_evidence.yaml:5:5: relation HGNC:6001 binds HGNC:6008: field 'evidence': every evidence item refutes this relation: state it as negated instead",
    ],
    "via_on_direct_relation": [
        "data/via_on_direct_relation.yaml:6:5: relation HGNC:6001 binds HGNC:6008: field 'via': 'via' is for summary relations: add direct: false",
    ],
    "unknown_evidence_type": [
        "data/unknown_evidence_type.yaml:5:5: relation HGNC:6001 binds HGNC:6008: field 'evidence[0].evidence_type': 'ECO:0000001' is not one of the evidence types: ECO:0000269 (experimental evidence used in manual assertion), ECO:0000270 (expression pattern evidence used in manual assertion), ECO:0000303 (author statement without traceable support used in manual assertion), ECO:0000304 (author statement supported by traceable reference used in manual assertion), ECO:0000305 (curator inference used in manual assertion), ECO:0000314 (direct assay evidence used in manual assertion), ECO:0000315 (mutant phenotype evidence used in manual assertion), ECO:0000316 (genetic interaction evidence used in manual assertion), ECO:0000353 (physical interaction evidence used in manual assertion), ECO:0006017 (author statement from published clinical study used in manual assertion)",
    ],
    "indicated_for_without_agency": [
        "data/indicated_for_without_agency.yaml:5:5: relation DrugBank:DB00041 indicated_for MONDO:0005086: field 'qualifiers.agency': indicated_for is for labelled use: give the agency of the label (investigational use is in_clinical_trials_for)",
    ],
    "mouse_source_without_species": [
        "data/mouse_source_without_species.yaml:5:5: relation HGNC:6001 binds HGNC:6008: field 'evidence[0].species': REF:MouseStudy studied NCBITaxon:10090 (mouse), not human: add species: NCBITaxon:10090",
    ],
    "implausible_year": [
        "data/implausible_year.yaml:7:5: reference REF:TestPaper: field 'year': 1066 is not a plausible year of publication",
    ],
    "unknown_publication_type": [
        "data/unknown_publication_type.yaml:7:27: reference REF:TestPaper: field 'type': Input should be 'primary_research', 'clinical_trial_report', 'regulatory_label', 'database_record', 'review', 'meta_analysis', 'guideline', 'web_page' or 'press_news'",
    ],
    "uncited_record": [
        "data/uncited_record.yaml:8:5: reference REF:NobodyCitesMe: field 'id': no evidence cites this reference: remove it",
    ],
    "uncited_pmid": [
        "data/uncited_pmid.yaml:5:5: relation HGNC:6001 binds HGNC:6008: field 'evidence[0].source': PMID:16293754 has no record in the reference registry (add it to data/references.yaml with its type, first author, title, venue and year)",
    ],
    "weak_only_support": [
        "data/weak_only_support.yaml:5:5: relation HGNC:6001 binds HGNC:6008: field 'evidence': only web or press sources support this relation: mark it unverified, or cite a primary source (web and press items are pointers, not verification)",
    ],
    "verified_on_press_release": [
        "data/verified_on_press_release.yaml:5:5: relation DrugBank:DB00041 in_clinical_trials_for MONDO:0005086: field 'evidence[0].status': 'verified' needs a primary paper, trial report, label or database record; REF:PressRelease is a press or news item: mark it expert_knowledge and cite the primary source",
    ],
    "verified_on_vendor_page": [
        "data/verified_on_vendor_page.yaml:5:5: relation HGNC:6001 binds HGNC:6008: field 'evidence': only web or press sources support this relation: mark it unverified, or cite a primary source (web and press items are pointers, not verification)",
        "data/verified_on_vendor_page.yaml:5:5: relation HGNC:6001 binds HGNC:6008: field 'evidence[0].status': 'verified' needs a primary paper, trial report, label or database record; https://vendor.example.org/antibody is a web page: mark it expert_knowledge and cite the primary source",
    ],
    "alias": [
        "data/alias.yaml:2:5: field 'entities[1]': YAML aliases (*name) are not allowed (the anchor &name is here)"
    ],
    "attribute_not_allowed": [
        "data/attribute_not_allowed.yaml:2:5: entity HGNC:6001: field 'date': only a TimelineEvent may have 'date' (this is a Cytokine)"
    ],
    "bad_curie_cl": [
        "data/bad_curie_cl.yaml:2:5: entity CL:815: field 'id': 'CL:815' is not a valid CL identifier (expected seven digits, e.g. CL:0000815)"
    ],
    "bad_curie_doi": [
        "data/bad_curie_doi.yaml:5:5: relation HGNC:6001 binds HGNC:6008: field 'evidence[0].source': 'DOI:11.1038/nri3156' is not a valid DOI identifier (expected 10.<registrant>/<suffix>, e.g. DOI:10.1038/nri3156)"
    ],
    "bad_curie_go": [
        "data/bad_curie_go.yaml:2:5: entity GO:38110: field 'id': 'GO:38110' is not a valid GO identifier (expected seven digits, e.g. GO:0038110)"
    ],
    "bad_curie_hgnc": [
        "data/bad_curie_hgnc.yaml:2:5: entity HGNC:IL2: field 'id': 'HGNC:IL2' is not a valid HGNC identifier (expected digits, e.g. HGNC:6001)"
    ],
    "bad_curie_mondo": [
        "data/bad_curie_mondo.yaml:2:5: entity MONDO:5086: field 'id': 'MONDO:5086' is not a valid MONDO identifier (expected seven digits, e.g. MONDO:0005086)"
    ],
    "bad_curie_pmid": [
        "data/bad_curie_pmid.yaml:5:5: relation HGNC:6001 binds HGNC:6008: field 'evidence[0].source': 'PMID:21889323a' is not a valid PMID identifier (expected digits, e.g. PMID:21889323)"
    ],
    "bad_curie_uniprot": [
        "data/bad_curie_uniprot.yaml:2:5: entity HGNC:6001: field 'xrefs[0]': 'UniProtKB:p60568' is not a valid UniProtKB identifier (expected a UniProt accession, e.g. UniProtKB:P60568)"
    ],
    "bad_status": [
        "data/bad_status.yaml:5:100: relation HGNC:6001 binds HGNC:6008: field 'evidence[0].status': Input should be 'verified', 'expert_knowledge' or 'unverified'"
    ],
    "bad_unit": [
        "data/bad_unit.yaml:5:122: relation HGNC:6001 binds HGNC:6008: field 'quantities[0].unit': Input should be 'M', 'mM', 'uM', 'nM', 'pM', '%', 'fraction', 'ratio', 'count', 'patients', 'IU/kg', 'MIU/m2', 'MIU/m2/day', 'MIU/day', 'IU/m2/day', 'ug/kg', 'ug/day', 'mg/kg', 'mg/m2', 'kDa', 'aa', 'month', 'week', 'day', 'hour' or '1e9 cells'"
    ],
    "control_character": [
        "data/control_character.yaml:2:37: entity HGNC:6001: field 'label': contains the control character U+0007: remove it"
    ],
    "contradiction": [
        "data/contradiction.yaml:6:5: relation HGNC:6001 NOT binds HGNC:6008: field 'negated': contradicts the relation at data/contradiction.yaml:5 (one is negated, the other not)"
    ],
    "dangling_reference": [
        "data/dangling_reference.yaml:5:5: relation HGNC:6001 binds HGNC:6009: field 'object': no entity with id 'HGNC:6009' is defined"
    ],
    "domain_range": [
        "data/domain_range.yaml:5:5: relation MONDO:0005086 binds HGNC:6001: field 'subject': a Disease is outside the domain of 'binds' (MolecularEntity or Drug)"
    ],
    "duplicate_id": [
        "data/duplicate_id.yaml:3:5: entity HGNC:6001: field 'id': duplicate entity id (first defined at data/duplicate_id.yaml:2)"
    ],
    "duplicate_key": [
        "data/duplicate_key.yaml:5:5: field 'entities[0].label': duplicate key 'label'"
    ],
    "duplicate_relation": [
        "data/duplicate_relation.yaml:6:5: relation HGNC:6001 binds HGNC:6008: duplicate relation (same subject, predicate, object and qualifiers as data/duplicate_relation.yaml:5); merge their evidence"
    ],
    "empty": ["data/empty.yaml:1:1: file is empty"],
    "event_without_date": [
        "data/event_without_date.yaml:2:5: entity IL2KG:ev: field 'date': a TimelineEvent needs 'date'",
        "data/event_without_date.yaml:2:5: entity IL2KG:ev: field 'event_type': a TimelineEvent needs 'event_type'",
    ],
    "evidence_without_source": [
        "data/evidence_without_source.yaml:5:74: relation HGNC:6001 binds HGNC:6008: field 'evidence[0].source': required field is missing",
    ],
    "impossible_date": [
        "data/impossible_date.yaml:2:67: field 'entities[0].date': bad value '1983-02-30': day is out of range for month"
    ],
    "javascript_url": [
        "data/javascript_url.yaml:7:91: reference REF:APage: field 'url': url must be an http:// or https:// address",
    ],
    "missing_evidence": [
        "data/missing_evidence.yaml:5:5: relation HGNC:6001 binds HGNC:6008: field 'evidence': required field is missing"
    ],
    "missing_field": [
        "data/missing_field.yaml:2:5: entity HGNC:6001: field 'label': required field is missing"
    ],
    "no_evidence": [
        "data/no_evidence.yaml:5:63: relation HGNC:6001 binds HGNC:6008: field 'evidence': List should have at least 1 item after validation, not 0"
    ],
    "not_a_mapping": [
        "data/not_a_mapping.yaml:1:1: the file must be a mapping with 'entities', 'relations' and/or 'references'",
    ],
    "not_utf8": ["data/not_utf8.yaml:2:49: not UTF-8 text (byte 0xff)"],
    "qualifier_wrong_type": [
        "data/qualifier_wrong_type.yaml:5:5: relation HGNC:6001 binds HGNC:6008: field 'qualifiers.cell_type': 'HGNC:6008' is a ReceptorChain, not a CellType"
    ],
    "self_reference": [
        "data/self_reference.yaml:5:5: relation HGNC:6001 binds HGNC:6001: field 'object': a relation cannot link an entity to itself"
    ],
    "shacl_event_concerns_nothing": [
        "data/shacl_event_concerns_nothing.yaml:2:5: entity IL2KG:ev: field 'il2kg:concerns': SHACL: a timeline event must concern at least one entity"
    ],
    "syntax": ["data/syntax.yaml:4:4: YAML syntax error: did not find expected '-' indicator"],
    "tabs": [
        "data/tabs.yaml:3:1: YAML syntax error: found a tab character that violates indentation (use spaces, not tabs, to indent YAML)"
    ],
    "unknown_field": [
        "data/unknown_field.yaml:2:49: entity HGNC:6001: field 'colour': unknown field"
    ],
    "unknown_predicate": [
        "data/unknown_predicate.yaml:5:5: relation HGNC:6001 bind HGNC:6008: field 'predicate': unknown predicate 'bind' (did you mean binds?)"
    ],
    "unknown_prefix": [
        "data/unknown_prefix.yaml:2:5: entity ENSEMBL:ENSG00000109471: field 'id': unknown prefix 'ENSEMBL' in 'ENSEMBL:ENSG00000109471' (known: BFO, CHEBI, CL, DOI, DOID, DrugBank, ECO, GO, HGNC, HP, IL2KG, KEGG, MESH, MONDO, NCBIGene, NCBITaxon, NCIT, NCT, OMIM, ORPHA, PMC, PMID, Reactome, REF, RO, UBERON, UNII, UniProtKB, UO, WP)",
    ],
    "unknown_top_key": [
        "data/unknown_top_key.yaml:1:1: field 'entity': unknown top-level key (expected 'entities', 'relations' or 'references')",
    ],
    "unknown_type": [
        "data/unknown_type.yaml:2:5: entity HGNC:6001: field 'type': unknown entity type 'Cytokin' (did you mean Cytokine?)"
    ],
    "unquoted_year": [
        "data/unquoted_year.yaml:2:61: entity IL2KG:ev: field 'date': quote the year as text: '1983'"
    ],
    "wrong_type": [
        "data/wrong_type.yaml:2:37: entity HGNC:6001: field 'label': Input should be a valid string (got bool False); YAML reads yes/no/on/off as true/false: quote the text"
    ],
    "deep_nesting": [
        "data/deep_nesting.yaml:1:74: field 'entities"
        + "[0]" * 63
        + "': lists and mappings nested more than 64 deep"
    ],
    "duplicate_synonym_nfc": [
        "data/duplicate_synonym_nfc.yaml:2:5: entity HGNC:6001: field 'synonyms': the same synonym is listed twice"
    ],
    "escape_in_key": [
        "data/escape_in_key.yaml:2:49: entity HGNC:6001: field '\\x1b]0;pwned\\x07': unknown field"
    ],
    "homoglyph_digits": [
        "data/homoglyph_digits.yaml:2:5: entity HGNC:6\u0660\u06601: field 'id': 'HGNC:6\u0660\u06601' is not a valid HGNC identifier (expected digits, e.g. HGNC:6001; U+0660 is not one of the ASCII digits 0-9)"
    ],
    "line_break_in_label": [
        "data/line_break_in_label.yaml:2:37: entity HGNC:6001: field 'label': contains a line break: write it on one line"
    ],
    "non_xml_character": [
        "data/non_xml_character.yaml:2:37: entity HGNC:6001: field 'label': contains U+FFFE, which XML cannot hold: remove it"
    ],
    "not_finite_number": [
        "data/not_finite_number.yaml:5:153: field 'relations[0].quantities[0].value': '.nan' is not a number: write a finite number, or quote it if it is text"
    ],
    "nul_byte": ["data/nul_byte.yaml:2:46: the character U+0000 is not allowed in YAML"],
    "too_long_text": [
        "data/too_long_text.yaml:5:18: field 'entities[0].description': text of 10,001 characters; the limit is 10,000"
    ],
    "too_many_digits": [
        "data/too_many_digits.yaml:5:153: field 'relations[0].quantities[0].value': the number '1.00000000000000000001' has more digits than a floating-point number keeps (it would become 1.0): write at most 15 significant digits"
    ],
    "too_many_synonyms": [
        "data/too_many_synonyms.yaml:1006:9: field 'entities[0].synonyms': a list of more than 1,000 items"
    ],
    "url_bracket": [
        "data/url_bracket.yaml:7:91: reference REF:APage: field 'url': url has a character that is not allowed in an IRI, '[' at position 21: escape it as %5B",
    ],
    "url_two_hashes": [
        "data/url_two_hashes.yaml:7:91: reference REF:APage: field 'url': url has a character that is not allowed in an IRI, '#' at position 24: a url has at most one '#': escape the others as %23",
    ],
    "yaml11_number": [
        "data/yaml11_number.yaml:5:153: field 'relations[0].quantities[0].value': YAML 1.1 reads '1:30' as a base-60 number, 90: write 90 if you mean that number, or quote it ('1:30') if it is text"
    ],
}


def _single_file_dir(tmp_path: Path, name: str) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(INVALID / f"{name}.yaml", data / f"{name}.yaml")
    return data


def test_every_invalid_file_has_an_expectation() -> None:
    assert sorted(p.stem for p in INVALID.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_file_fails_with_its_message(tmp_path: Path, name: str) -> None:
    kg = KnowledgeGraph(_single_file_dir(tmp_path, name), use_cache=False)
    with pytest.raises(DataError) as info:
        kg.validate()
    assert [str(p) for p in info.value.problems] == EXPECTED[name]


@pytest.mark.parametrize("name", ["dangling_reference", "tabs", "not_utf8"])
def test_cli_reports_problem_and_exits_1_without_traceback(tmp_path: Path, name: str) -> None:
    data = _single_file_dir(tmp_path, name)
    result = CliRunner().invoke(cli, ["--data-dir", str(data), "validate"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "Error: " + "\n".join([*EXPECTED[name], "1 problem found"]) + "\n"
    assert "Traceback" not in result.output


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("dangling_reference", "unknown_type", "syntax"):
        # distinct entity ids would collide across files: keep files whose ids do not clash
        shutil.copy(INVALID / f"{name}.yaml", data / f"{name}.yaml")
    with pytest.raises(DataError) as info:
        KnowledgeGraph(data, use_cache=False).validate()
    files = {p.file for p in info.value.problems}
    assert files == {"data/dangling_reference.yaml", "data/syntax.yaml", "data/unknown_type.yaml"}


def test_duplicate_ids_across_files_name_both_places(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.yaml").write_text("entities:\n  - {id: HGNC:6001, type: Cytokine, label: IL2}\n")
    (data / "b.yaml").write_text("entities:\n  - {id: HGNC:6001, type: Cytokine, label: IL-2}\n")
    with pytest.raises(DataError) as info:
        KnowledgeGraph(data, use_cache=False).validate()
    assert [str(p) for p in info.value.problems] == [
        "data/b.yaml:2:5: entity HGNC:6001: field 'id': duplicate entity id (first defined at data/a.yaml:2)"
    ]


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 30):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    data = tmp_path / "data"
    data.mkdir()
    (data / "bomb.yaml").write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as info:
        KnowledgeGraph(data, use_cache=False).validate()
    assert any("aliases" in p.message for p in info.value.problems)


def test_fixture_kb_is_valid(fixture_kg: KnowledgeGraph) -> None:
    stats = fixture_kg.validate()
    assert (stats.entities, stats.relations, stats.negated) == (14, 18, 1)


def test_valid_data_in_read_only_directory_still_validates(tmp_path: Path) -> None:
    data = tmp_path / "ro"
    shutil.copytree(FIXTURE_KB, data)
    for p in [data, *data.iterdir()]:
        p.chmod(0o555 if p.is_dir() else 0o444)
    try:
        assert KnowledgeGraph(data, use_cache=False).validate().relations == 18
    finally:
        for p in [data, *data.iterdir()]:
            p.chmod(0o755 if p.is_dir() else 0o644)
