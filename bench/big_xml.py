#!/usr/bin/env python3
"""Writes large XML files for measuring streaming ingest: the hand-made EU FSF and OFAC advanced
fixtures with their records repeated (ids renumbered) until the file reaches a size.

    bench/big_xml.py eu-fsf-xml OUT.xml 100      # about 100 MB
    bench/big_xml.py ofac-advanced-xml OUT.xml 100
    bench/big_xml.py eu-fsf-xml OUT.xml 100 8   # entities with 8 times the sub-records
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "tests" / "fixtures"


def fatten(body: str, times: int) -> str:
    """Repeats the sub-records of every entity `times` times (ids renumbered): entities of the
    real file's size (several names, addresses, documents, each with its regulation)."""
    if times <= 1:
        return body

    def grow(m):
        open_tag, inner, close = m.group(1), m.group(2), m.group(3)
        copies = [re.sub(r'logicalId="(\d+)"', lambda n: f'logicalId="{n.group(1)}{j}"', inner)
                  for j in range(times)]
        return open_tag + "".join(copies) + close
    return re.sub(r'(<sanctionEntity[^>]*>)(.*?)(</sanctionEntity>)', grow, body, flags=re.S)


def eu(target: int, out, fat: int = 1):
    text = (ROOT / "eu-fsf-xml" / "2025-04-01.xml").read_text()
    start, end = text.index("<sanctionEntity"), text.rindex("</export>")
    head, body, foot = text[:start], fatten(text[start:end], fat), text[end:]
    out.write(head)
    written, i = len(head), 0
    while written < target:
        i += 1
        copy = re.sub(r'logicalId="(\d+)"', lambda m: f'logicalId="{m.group(1)}{i:07d}"', body)
        out.write(copy)
        written += len(copy)
    out.write(foot)


# Attributes naming records of the file itself (renumbered per copy); reference values
# (CountryID, AliasTypeID, …) stay as they are.
OWN_IDS = ("ID", "FixedRef", "ProfileID", "LocationID", "IdentityID", "DocumentedNameID",
           "NamePartGroupID", "FeatureVersionID", "SanctionsEntryID", "IDRegDocumentID",
           "From-ProfileID", "To-ProfileID")


def ofac_advanced(target: int, out):
    text = (ROOT / "ofac-advanced-xml" / "2024-03-04" / "sdn_advanced.xml").read_text()
    sections = ["Locations", "IDRegDocuments", "DistinctParties", "ProfileRelationships",
                "SanctionsEntries"]
    start = text.index("<Locations>")
    out.write(text[:start])
    bodies = {}
    for name in sections:
        m = re.search(rf"<{name}>(.*?)</{name}>", text, re.S)
        bodies[name] = m.group(1) if m else ""
    per_copy = sum(len(b) for b in bodies.values())
    copies = max(1, target // max(per_copy, 1))
    pattern = re.compile(r'\b(' + "|".join(re.escape(a) for a in OWN_IDS) + r')="(\d+)"')
    for name in sections:
        out.write(f"  <{name}>")
        for i in range(copies):
            out.write(pattern.sub(lambda m: f'{m.group(1)}="{int(m.group(2)) + (i + 1) * 10_000_000}"',
                                  bodies[name]))
        out.write(f"</{name}>\n")
    out.write("</Sanctions>\n")


def main():
    kind, path, megabytes = sys.argv[1], sys.argv[2], float(sys.argv[3])
    fat = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    target = int(megabytes * 1_000_000)
    with open(path, "w") as out:
        if kind == "eu-fsf-xml":
            eu(target, out, fat)
        else:
            ofac_advanced(target, out)


if __name__ == "__main__":
    main()
