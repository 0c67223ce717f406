"""Query-time synonym expansion, the same for every backend.

A query becomes a list of concepts; each concept is a list of
interchangeable phrases. "MCU casting" with the synonym "MCU, Marvel
Cinematic Universe" becomes [["MCU", "Marvel Cinematic Universe"],
["casting"]]: a story must match every concept, through any of its phrases.
"""

from caching.page_cache import kept_for_generation
from search.models import SearchSynonym
from search.text import fold


def synonym_groups():
    # Kept under the page cache's generation; saving or deleting a synonym
    # starts a new one (search.apps), so editors' changes apply at once.
    return kept_for_generation("search-synonyms", lambda: [synonym.phrases for synonym in SearchSynonym.objects.all()])


def expand(terms, groups=None):
    groups = synonym_groups() if groups is None and terms else (groups or [])
    # Every phrase of every group, as folded words, longest first so that
    # "marvel cinematic universe" wins over a group naming just "marvel".
    candidates = sorted(
        ((tuple(fold(phrase).split()), group) for group in groups for phrase in group),
        key=lambda item: -len(item[0]),
    )
    folded = [fold(term) for term in terms]
    concepts, position = [], 0
    while position < len(terms):
        for words, group in candidates:
            if tuple(folded[position : position + len(words)]) == words:
                concepts.append(list(group))
                position += len(words)
                break
        else:
            concepts.append([terms[position]])
            position += 1
    return concepts
