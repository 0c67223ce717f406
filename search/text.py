"""The words of a story that reader search matches: one definition for the
database backends and the search server.

It reads the body's stored data (`StreamField.raw_data` or the JSON a
migration sees), not rendered blocks: rendering expands links, images and
embeds, a query or a request each.
"""

import html
import re
import string
import unicodedata

# What each body block contributes, by the names its StructBlock stores.
# Choice values (alignment, kind, level) and addresses are not words a reader types.
BODY_BLOCK_TEXT = {
    "paragraph": None,  # rich text
    "heading": ("text",),
    "pull_quote": ("quote", "speaker", "speaker_role", "source"),
    "image": ("caption", "credit", "alt_text"),
    "embed": ("caption",),
    "callout": ("title", "body"),
    "list": ("items",),
    "season_info": ("title", "episode_title", "network", "rows"),
}

# Words too common to say anything about a story (the Snowball English list,
# as PostgreSQL's `english` configuration uses). A query made only of them
# still searches; otherwise they neither match nor rank.
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can did do does doing down during each few for from further had has have having he
    her here hers herself him himself his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she should so some such
    than that the their theirs them themselves then there these they this those through to too under until
    up very was we were what when where which while who whom why will with you your yours yourself
    yourselves""".split()  # noqa: SIM905 - the list as Snowball prints it
)
WORD = re.compile(r"\w+")
TAG = re.compile(r"<[^>]*>")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
LONGEST_WORD = 40


def fold(text):
    """Lower case without accents, so "Pokémon" and "pokemon" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower().strip(string.punctuation)


def plain(value):
    """Text from stored rich text or a plain string: no tags, no entities,
    no control characters (the snippet markers are control characters).

    A tag becomes a space. Stored rich text is the editor's well-formed
    HTML, so a pattern does what django's `strip_tags` does (an HTML parser
    run until nothing changes) in a tenth of the time, which a publish pays.
    """
    text = html.unescape(TAG.sub(" ", value))
    return " ".join(CONTROL.sub(" ", text).split())


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item.get("value", item) if isinstance(item, dict) and "type" in item else item)


def block_text(block_type, value):
    keys = BODY_BLOCK_TEXT.get(block_type, ())
    if keys is None:
        return plain(value) if isinstance(value, str) else ""
    if not isinstance(value, dict):
        return ""
    return plain(" ".join(text for key in keys for text in _strings(value.get(key))))


def body_parts(raw_blocks):
    """The body's words in three parts: pull quotes (which weigh more),
    spoiler warnings (matched, but never quoted in a result's snippet) and
    the rest."""
    parts = {"quotes": [], "spoilers": [], "body": []}
    for block in raw_blocks or ():
        block_type, value = block.get("type"), block.get("value")
        text = block_text(block_type, value)
        if not text:
            continue
        if block_type == "pull_quote":
            parts["quotes"].append(text)
        elif block_type == "callout" and isinstance(value, dict) and value.get("kind") == "spoiler":
            parts["spoilers"].append(text)
        else:
            parts["body"].append(text)
    return {name: "\n".join(texts) for name, texts in parts.items()}


def vocabulary(*texts):
    """The distinct folded words of some texts, for typo candidates."""
    return {word for text in texts for word in WORD.findall(fold(text)) if 2 < len(word) <= LONGEST_WORD}
