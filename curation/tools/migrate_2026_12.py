"""One-off migration of data/ to the evidence model of December 2026 (kept as the record of it).

- every evidence `name:`/`url:` becomes a `source:` citing a registry record;
- a cited DOI/PMC of a work the registry keys by PMID is rewritten to the PMID;
- data/references.yaml is written from curation/research/registry-existing.yaml;
- statuses the new rules refuse are downgraded, not deleted: `verified` on a review, web or press
  item, or on a record the registry's curator could not read, becomes `expert_knowledge`; a
  relation resting only on web or press items becomes `unverified`;
- evidence from a source that studied only another organism gets its `species`;
- `indicated_for` keeps labelled use (agency, year) and investigational uses become
  `in_clinical_trials_for`; `approved_for` gets its agency and year;
- the IL-2 -> STAT shortcuts become summaries (`direct: false`) with their mechanism in `via`;
  molecular functions are `enables`d, not promoted (review rows 1, 20, 28).

Run from the repository root: python curation/tools/migrate_2026_12.py, then il2kg format.
"""

from __future__ import annotations

import glob
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PRIMARY = {"primary_research", "clinical_trial_report", "regulatory_label", "database_record"}
WEAK = {"web_page", "press_news"}
HUMAN = "NCBITaxon:9606"
CANONICAL_HOSTS = ("pubmed.ncbi.nlm.nih.gov", "www.ncbi.nlm.nih.gov/pubmed", "pmc.ncbi.nlm.nih.gov",
                   "doi.org", "clinicaltrials.gov", "reactome.org", "www.uniprot.org", "go.drugbank.com")

# (subject, object) -> (agency, year) for labelled use; everything else under indicated_for is
# investigational. Years are those of the labels and approvals recorded in data/timeline.yaml.
LABELLED = {
    ("DrugBank:DB00041", "MONDO:0005086"): ("FDA", 1992),
    ("DrugBank:DB00041", "MONDO:0005105"): ("FDA", 1998),
    ("IL2KG:HD_IL2_IV", "MONDO:0005086"): ("FDA", 1992),
    ("IL2KG:HD_IL2_IV", "MONDO:0005105"): ("FDA", 1998),
    ("IL2KG:lifileucel", "MONDO:0005105"): ("FDA", 2024),
    ("IL2KG:Lifileucel_regimen", "MONDO:0005105"): ("FDA", 2024),
    ("DrugBank:DB00004", "IL2KG:CTCL"): ("FDA", 2024),
}
# the ligand-to-STAT shortcuts: a summary of ligand -> receptor -> JAK1 -> STAT (review row 1)
SUMMARIES = {
    ("HGNC:6001", "activates", "HGNC:11362"): ["IL2KG:IL2R_BG", "HGNC:6190"],
    ("HGNC:6001", "activates", "HGNC:11364"): ["IL2KG:IL2R_BG", "HGNC:6190"],
    ("HGNC:6001", "activates", "HGNC:11366"): ["IL2KG:IL2R_BG", "HGNC:6190"],
    ("HGNC:6001", "activates", "HGNC:11367"): ["IL2KG:IL2R_BG", "HGNC:6190"],
    ("HGNC:391", "activates", "HGNC:3942"): [],  # AKT1 -> TSC2/PRAS40 -> mTORC1 (row 6)
    ("HGNC:4566", "recruits", "HGNC:8979"): [],  # GRB2 -> GAB2 -> p85 (row 5)
    ("HGNC:6193", "increases_expression_of", "HGNC:7553"): [],  # JAK3 -> ... -> MYC (row 8)
}
EXPRESSION = {"increases_expression_of", "decreases_expression_of"}
ENABLES = {"GO:0005125", "GO:0005134", "GO:0004911"}


def load_registry() -> tuple[dict[str, dict], dict[str, str], dict[str, str]]:
    from il2kg.namespaces import compress

    d = yaml.safe_load((ROOT / "curation/research/registry-existing.yaml").read_text())
    records, alias = {}, {}
    for r in d["references"]:
        if r["id"].startswith("http") and compress(r["id"]) != r["id"]:
            alias[r["id"]] = compress(r["id"])  # a URL of a known prefix is written as its CURIE
            r = {**r, "id": compress(r["id"])}
        records[r["id"]] = r
        for a in r.get("also_ids") or []:
            alias.setdefault(a, r["id"])
    named = {n["name"]: alias.get(n["id"], n["id"]) for n in d["named"]}
    return records, alias, named


def record_for_data(r: dict) -> dict:
    title = str(r["title"])
    fields = [str(r.get(k) or "(not known)") for k in ("first_author", "title", "venue")]
    checked = not title.startswith("NOT READ") and not any(f.startswith("(") for f in fields)
    r = {**r, "venue": r.get("venue") or "(not known)"}
    out = {
        "id": r["id"],
        "type": r["pub_type"],
        "first_author": r["first_author"],
        "title": re.sub(r"^NOT READ:\s*", "", title).strip(),
        "venue": r["venue"],
    }
    if r.get("year") is not None:
        out["year"] = int(r["year"])
    if r.get("species"):
        out["species"] = list(r["species"])
    read = (r.get("read_at") or "").split()
    read = read[0] if read else None
    if read and read.startswith("https://") and any(h in read for h in CANONICAL_HOSTS):
        out["url"] = read
    known = ("PMID:", "DOI:", "PMC:", "NCT:", "Reactome:", "KEGG:", "WP:", "UniProtKB:", "DrugBank:")
    other = [x for x in (r.get("also_ids") or []) if not x.startswith(known)]
    xrefs = [x for x in (r.get("also_ids") or []) if x != r["id"] and x.startswith(known)]
    if xrefs:
        out["xrefs"] = xrefs
    notes = []
    if not checked:
        out["checked"] = False
    if not r.get("id_seen", True):
        notes.append("identifier not displayed on what was read")
    if read and "url" not in out:
        notes.append(f"read at {read}")
    if other:
        notes.append("also known as " + ", ".join(other))
    if r.get("note"):
        notes.append(str(r["note"]))
    if notes:
        out["note"] = "; ".join(notes)
    return out


def main() -> None:
    records, alias, named = load_registry()
    cited: set[str] = set()
    for f in sorted(glob.glob(str(ROOT / "data/*.yaml"))):
        path = Path(f)
        if path.name == "references.yaml":
            continue
        doc = yaml.safe_load(path.read_text())
        for rel in doc.get("relations") or []:
            key = (rel["subject"], rel["predicate"], rel["object"])
            items = []
            for ev in rel["evidence"]:
                ev = dict(ev)
                if "name" in ev:
                    ev["source"] = named[ev.pop("name")]
                    ev.pop("url", None)
                src = alias.get(ev["source"], ev["source"])
                ev = {"source": src, **{k: v for k, v in ev.items() if k != "source"}}
                rec = records[src]
                cited.add(src)
                reg = record_for_data(rec)
                if ev["status"] == "verified" and (rec["pub_type"] not in PRIMARY or reg.get("checked") is False):
                    ev["status"] = "expert_knowledge"
                species = reg.get("species") or []
                if species and HUMAN not in species and "species" not in ev:
                    ev["species"] = species[0]
                items.append(ev)
            merged: dict[str, dict] = {}
            for ev in items:  # two names may now be the same record: keep one item
                old = merged.get(ev["source"])
                if old is None:
                    merged[ev["source"]] = ev
                elif ev.get("note") and not old.get("note"):
                    old["note"] = ev["note"]
            items = list(merged.values())
            if all(records[e["source"]]["pub_type"] in WEAK for e in items):
                for e in items:
                    e["status"] = "unverified"
            rel["evidence"] = items
            if rel["predicate"] in ("indicated_for", "approved_for") and not rel.get("negated"):
                label = LABELLED.get((rel["subject"], rel["object"]))
                if label is None:
                    rel["predicate"] = "in_clinical_trials_for"
                else:
                    q = dict(rel.get("qualifiers") or {})
                    q["agency"], q["year"] = label
                    rel["qualifiers"] = q
            if key in SUMMARIES:
                rel["direct"] = False
                if SUMMARIES[key]:
                    rel["via"] = SUMMARIES[key]
            elif rel["subject"] == "HGNC:6001" and rel["predicate"] in EXPRESSION:
                # a cytokine changes a gene's expression through its receptor and JAK-STAT:
                # a summary of that chain, not a direct event
                rel["direct"] = False
                rel["via"] = ["IL2KG:IL2R_BG", "HGNC:6190"]
            if rel["predicate"] == "promotes" and rel["object"] in ENABLES:
                rel["predicate"] = "enables"
        path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100))
    refs = [record_for_data(records[i]) for i in sorted(cited)]
    (ROOT / "data/references.yaml").write_text(
        yaml.safe_dump({"references": refs}, sort_keys=False, allow_unicode=True, width=100)
    )
    print(f"{len(refs)} references cited")


if __name__ == "__main__":
    main()
