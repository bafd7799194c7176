"""People's names as CSL-JSON holds them, written for each output.

A name is {"family", "given"} or {"literal"} (an organisation, or a person
known by one name). One module formats them for the page, RIS and metadata
(and, through citations.bibtex.bibtex_name, BibTeX), so a name without a
family part is never dropped.
"""


def display_name(name: dict) -> str:
    """ "Yann LeCun", or the literal name."""
    if name.get("literal"):
        return name["literal"]
    return " ".join(p for p in (name.get("given", ""), name.get("family", "")) if p)


def sorted_name(name: dict) -> str:
    """ "LeCun, Yann" (RIS, reference lists), or the literal name."""
    if name.get("literal"):
        return name["literal"]
    family, given = name.get("family", ""), name.get("given", "")
    return f"{family}, {given}" if family and given else family or given
