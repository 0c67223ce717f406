"""A judged set of reader queries over invented stories, for search quality.

Each query lists the stories a reader wants, graded: 2 is what they came
for (a must-find: it has to be in the top ten), 1 is useful. Every other
story is noise for that query. Scored with nDCG@10 by the tests
(tests/search/test_search_quality.py, a floor per backend) and by `make
bench` (bench/probe.py quality, beside latency, and against Wagtail's own
database backend).

The queries are what readers type: accents left off, plurals and past
tenses, one-letter typos, a name that appears only in a story's body, a
pull quote or a season box, and two-word queries where one word is not in
the story.
"""

import math

from search.models import SearchSynonym
from tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    FranchiseTagFactory,
    SectionPageFactory,
    SeriesHubPageFactory,
    hours_ago,
)


def paragraph(text):
    return ("paragraph", f"<p>{text}</p>")


def quote(text, speaker, role=""):
    return ("pull_quote", {"quote": text, "speaker": speaker, "speaker_role": role, "source": "", "source_url": ""})


def heading(text):
    return ("heading", {"text": text, "level": "h2"})


def season_box(title, season, network, **rows):
    return (
        "season_info",
        {
            "title": title,
            "season": season,
            "episode": None,
            "episode_title": "",
            "air_date": None,
            "network": network,
            "rows": [{"label": label.replace("_", " ").title(), "value": value} for label, value in rows.items()],
        },
    )


def callout(text, kind="editors_note", title=""):
    return ("callout", {"kind": kind, "title": title, "body": f"<p>{text}</p>"})


def bullets(*items):
    return ("list", {"style": "bullet", "items": list(items)})


SERIES = {
    "copper": "Copper Meridian",
    "orchard": "Glass Orchard",
    "senora": "Señora Luna",
    "static": "The Long Static",
}
FRANCHISES = {"starfall": "Starwake Saga", "kaiju": "Kaiju Accord", "lumen": "Lumen+"}
AUTHORS = {"ines": "Inés Carrow", "tomas": "Tomás Reyes-Hart", "pia": "Pia Lindqvist"}
# Editors' synonyms the set relies on: readers abbreviate.
SYNONYMS = ["TLS, The Long Static"]

# key: headline, standfirst, series, franchises, authors, days old, body blocks
STORIES = {
    "renee_cast": {
        "title": "Renée Okonkwo joins the cast of Copper Meridian",
        "standfirst": "The stage actor takes the role of a harbour pilot in the second season.",
        "series": "copper",
        "franchises": ["lumen"],
        "days": 3,
        "body": [
            paragraph("Okonkwo, best known for two seasons at the Old Vic, signed on after a single audition."),
            paragraph("Production resumes in Rotterdam in the spring."),
        ],
    },
    "renee_interview": {
        "title": "‘I learned to steer a tugboat’: the new face of the harbour drama",
        "standfirst": "A long conversation about preparation, nerves and cold water.",
        "series": "copper",
        "days": 20,
        "body": [
            paragraph("We met Renée Okonkwo between takes on a windy quay."),
            quote("Nobody tells you how loud a tugboat is from the inside.", "Renée Okonkwo", "actor"),
            paragraph("She trained for six weeks with a working crew before filming began."),
        ],
    },
    "copper_renewed": {
        "title": "Copper Meridian renewed for a third season",
        "standfirst": "The harbour drama keeps its Sunday slot after strong streaming figures.",
        "series": "copper",
        "franchises": ["lumen"],
        "days": 8,
        "body": [
            paragraph("The renewal was announced by the platform on Monday."),
            season_box("Copper Meridian", 3, "Lumen+", showrunner="Dagny Ferreira", episodes="8"),
        ],
    },
    "copper_finale_review": {
        "title": "Review: Copper Meridian's finale steers into a storm",
        "standfirst": "A tense, soaked hour that pays off two seasons of slow build.",
        "series": "copper",
        "days": 40,
        "body": [
            paragraph("The last episode keeps its best scene for the lighthouse."),
            callout(
                "The harbour master is the smuggler all along, and the pilot lets him sail away.",
                kind="spoiler",
                title="Spoilers for the finale",
            ),
        ],
    },
    "copper_showrunner": {
        "title": "Dagny Ferreira on writing the sea as a character",
        "standfirst": "The showrunner explains why the harbour never sleeps on screen.",
        "series": "copper",
        "days": 60,
        "body": [
            paragraph("Ferreira spent a winter on a pilot boat before writing a line."),
            quote("The tide is the only cast member who never asks for notes.", "Dagny Ferreira", "showrunner"),
        ],
    },
    "orchard_premiere": {
        "title": "Glass Orchard premiered to the platform's biggest audience of the year",
        "standfirst": "The gothic family saga drew more viewers in its first weekend than any launch since March.",
        "series": "orchard",
        "franchises": ["lumen"],
        "days": 2,
        "body": [
            paragraph("The first two episodes were released together on Friday night."),
            bullets("Most-watched launch of the year", "Top ten in 41 countries", "Renewed before it aired"),
        ],
    },
    "orchard_trailer": {
        "title": "Watch the first trailer for Glass Orchard",
        "standfirst": "Two minutes of frost, chandeliers and a family that will not speak.",
        "series": "orchard",
        "days": 45,
        "body": [paragraph("The teaser was cut by the director, Chloé Marchetti, herself.")],
    },
    "orchard_director": {
        "title": "The director who grew an orchard of glass",
        "standfirst": "How a short-film maker from Lyon landed the year's most ambitious drama.",
        "series": "orchard",
        "days": 30,
        "body": [
            paragraph("Chloé Marchetti's first feature was shot in eleven days on a borrowed camera."),
            paragraph("Her production designer built every tree by hand from blown glass."),
        ],
    },
    "orchard_mention": {
        "title": "Streaming this weekend: eight new shows to try",
        "standfirst": "Our pick of the week's releases, from comedy to costume drama.",
        "days": 1,
        "body": [
            paragraph("Fans of Glass Orchard should look at the new Danish ghost story."),
            paragraph("Elsewhere, a cooking contest returns for a ninth season."),
        ],
    },
    "senora_renewed": {
        "title": "Señora Luna is renewed for a second season",
        "standfirst": "The telenovela about a retired astronaut returns next autumn.",
        "series": "senora",
        "days": 5,
        "body": [paragraph("The cast returns in full, and the writers promise a trip to the Moon.")],
    },
    "senora_review": {
        "title": "Review: Señora Luna is the warmest show of the year",
        "standfirst": "A retired astronaut, a noisy family and a telescope on the roof.",
        "series": "senora",
        "days": 70,
        "body": [paragraph("Every episode ends with the same shot of the night sky, and it never gets old.")],
    },
    "starfall_trailers": {
        "title": "Every Starwake Saga trailer, ranked",
        "standfirst": "From the grainy 2009 teaser to last week's final look, we rank them all.",
        "franchises": ["starfall"],
        "days": 12,
        "body": [
            paragraph("Each trailer is judged on music, restraint and how much it spoils."),
            heading("The best: the orbital station teaser"),
            paragraph("No dialogue, one long shot, and the score by Halvard Brenne."),
        ],
    },
    "starfall_casting": {
        "title": "Starwake Saga prequel casts its young captain",
        "standfirst": "The lead role in the prequel series goes to a newcomer.",
        "franchises": ["starfall"],
        "days": 6,
        "body": [
            paragraph("Casting took eight months and saw more than two thousand auditions."),
            paragraph("The captain's ship, the Meridian Wake, will be built at full scale."),
        ],
    },
    "starfall_cancelled": {
        "title": "Starwake Saga animated spin-off cancelled after one season",
        "standfirst": "The studio says the series did not find its audience.",
        "franchises": ["starfall"],
        "days": 15,
        "body": [paragraph("The cancellation comes a month after the finale aired to modest numbers.")],
    },
    "starfall_composer": {
        "title": "The sound of the stars: a conversation with a film composer",
        "standfirst": "He wrote four hours of music for a franchise and still hums the first theme.",
        "days": 90,
        "body": [
            paragraph("Halvard Brenne has scored every Starwake Saga film since 2009."),
            quote("I write the silence first and the music around it.", "Halvard Brenne", "composer"),
        ],
    },
    "kaiju_box_office": {
        "title": "Kaiju Accord stomps the box office in its opening weekend",
        "standfirst": "The monster crossover takes the biggest debut of the summer.",
        "franchises": ["kaiju"],
        "days": 4,
        "body": [paragraph("Audiences in Tokyo and Seoul queued for the midnight screenings.")],
    },
    "kaiju_vfx": {
        "title": "Inside the effects studio that built a sea monster from scratch",
        "standfirst": "Eighteen months, six hundred artists and one very large tail.",
        "franchises": ["kaiju"],
        "days": 50,
        "body": [
            paragraph("The creature was animated at the Halvorsen Institute of Visual Effects in Oslo."),
        ],
    },
    "static_review": {
        "title": "Review: The Long Static is a radio thriller with nerve",
        "standfirst": "A night-shift DJ hears a voice that should not be on the air.",
        "series": "static",
        "days": 9,
        "body": [paragraph("The film runs ninety minutes and barely leaves the booth.")],
    },
    "static_director": {
        "title": "How a radio booth became a film set",
        "standfirst": "The director of The Long Static on shooting a whole film in one room.",
        "series": "static",
        "days": 25,
        "body": [paragraph("The booth was built twice: once to sound right and once to look right.")],
    },
    "awards_night": {
        "title": "Awards night: all the winners",
        "standfirst": "A big night for the harbour drama and a shutout for the space opera.",
        "days": 7,
        "body": [
            paragraph("Copper Meridian took best drama, and Renée Okonkwo won best supporting actress."),
            paragraph("The Starwake Saga prequel went home empty-handed in every category it was nominated in."),
        ],
    },
    "festival_lineup": {
        "title": "The autumn festival line-up is out",
        "standfirst": "Forty premieres, nine debut directors and a silent film with a live orchestra.",
        "days": 11,
        "body": [paragraph("Chloé Marchetti sits on the jury this year, alongside two former winners.")],
    },
    "podcast": {
        "title": "Podcast: the week in television",
        "standfirst": "We talk renewals, cancellations and the return of appointment viewing.",
        "days": 2,
        "body": [paragraph("This week's guest is a critic who has watched every telenovela of the decade.")],
    },
    "ratings_week": {
        "title": "Ratings week: who won the Sunday slot",
        "standfirst": "The numbers behind the weekend's television.",
        "days": 3,
        "body": [paragraph("Sunday belonged to the harbour drama again, with the cooking contest in second place.")],
    },
    "tugboat_feature": {
        "title": "Working boats on screen: a short history",
        "standfirst": "From river ferries to tugboats, the vessels that stole the show.",
        "days": 120,
        "body": [paragraph("Tugboats have starred in more films than most actors, and worked harder.")],
    },
    "lighthouse_doc": {
        "title": "A documentary about lighthouse keepers is the sleeper hit of the season",
        "standfirst": "Slow, quiet and watched by millions.",
        "days": 14,
        "body": [paragraph("The keepers interviewed have between them spent ninety years on the rocks.")],
    },
    "astronaut_film": {
        "title": "Real astronauts review space films",
        "standfirst": "Three former crew members watch the genre's classics and wince.",
        "days": 33,
        "body": [paragraph("Their favourite is a small film about a retired astronaut who builds a telescope.")],
    },
    "author_profile": {
        "title": "Meet our new television critic",
        "standfirst": "She has watched more pilots than anyone should.",
        "authors": ["pia"],
        "days": 100,
        "body": [paragraph("Pia Lindqvist joins from a Stockholm daily, where she wrote about radio and television.")],
    },
    "ines_column": {
        "title": "Why the weekly release is back",
        "standfirst": "Binge drops are giving way to appointment viewing, and that is good news.",
        "authors": ["ines"],
        "days": 18,
        "body": [paragraph("Shows released weekly stay in conversation for months, not days.")],
    },
    "tomas_column": {
        "title": "In praise of the second season",
        "standfirst": "Second seasons get a bad reputation. They should not.",
        "authors": ["tomas"],
        "days": 27,
        "body": [paragraph("A good second season deepens what the first one promised.")],
    },
}

# query: {story key: grade}. Grade 2 stories are must-finds.
QUERIES = {
    # Accents typed without them.
    "renee okonkwo": {"renee_cast": 2, "renee_interview": 2, "awards_night": 1},
    "senora luna": {"senora_renewed": 2, "senora_review": 2},
    "chloe marchetti": {"orchard_director": 2, "orchard_trailer": 2, "festival_lineup": 1},
    "ines carrow": {"ines_column": 2},
    # Inflections: plural, past tense, -ing.
    "trailers": {"starfall_trailers": 2, "orchard_trailer": 2},
    "glass orchard premiere": {"orchard_premiere": 2, "orchard_trailer": 1, "orchard_director": 1},
    "cancellation": {"starfall_cancelled": 2, "podcast": 1},
    "renewed": {"copper_renewed": 2, "senora_renewed": 2, "podcast": 1},
    "casting": {"starfall_casting": 2, "renee_cast": 1},
    # One-letter typos in names.
    "okonkow": {"renee_cast": 2, "renee_interview": 2, "awards_night": 1},
    "marchetty": {"orchard_director": 2, "orchard_trailer": 2, "festival_lineup": 1},
    "copper meridain": {"copper_renewed": 2, "renee_cast": 2, "copper_finale_review": 1, "copper_showrunner": 1},
    "starwak saga": {"starfall_trailers": 2, "starfall_casting": 2, "starfall_cancelled": 2},
    # Only in the body, a pull quote or a season box.
    "halvorsen institute": {"kaiju_vfx": 2},
    "halvard brenne": {"starfall_composer": 2, "starfall_trailers": 1},
    "dagny ferreira": {"copper_showrunner": 2, "copper_renewed": 2},
    "tugboat": {"renee_interview": 2, "tugboat_feature": 2},
    "silence first": {"starfall_composer": 2},
    "meridian wake": {"starfall_casting": 2},
    # Two words, one of them not in the story.
    "copper meridian interview": {"renee_interview": 1, "copper_showrunner": 1, "copper_renewed": 1, "renee_cast": 1},
    "kaiju accord review": {"kaiju_box_office": 2, "kaiju_vfx": 1},
    "lighthouse keepers documentary series": {"lighthouse_doc": 2},
    "retired astronaut telenovela": {"senora_renewed": 2, "senora_review": 2, "astronaut_film": 1},
    # Names readers follow: the story about them before a passing mention.
    "glass orchard": {"orchard_premiere": 2, "orchard_trailer": 2, "orchard_director": 2, "orchard_mention": 1},
    "kaiju accord": {"kaiju_box_office": 2, "kaiju_vfx": 2},
    # An editors' synonym.
    "tls": {"static_review": 2, "static_director": 2},
    # A spoiler is found, not quoted.
    "harbour master smuggler": {"copper_finale_review": 2},
    "pia lindqvist": {"author_profile": 2},
}


def create_judged_stories():
    """The stories, tags, hubs, authors and synonyms; returns the story
    key each published headline belongs to."""
    news = SectionPageFactory(title="Judged news", slug="judged-news")
    reviews = SectionPageFactory(title="Judged reviews", slug="judged-reviews")
    hubs = {key: SeriesHubPageFactory(title=title, slug=f"judged-{key}") for key, title in SERIES.items()}
    tags = {key: FranchiseTagFactory(name=name, slug=f"judged-{key}") for key, name in FRANCHISES.items()}
    authors = {key: AuthorFactory(name=name, slug=f"judged-{key}") for key, name in AUTHORS.items()}
    staff = AuthorFactory(name="Staff Writer", slug="judged-staff")
    for terms in SYNONYMS:
        SearchSynonym.objects.get_or_create(terms=terms)
    keys = {}
    for key, story in STORIES.items():
        page = ArticlePageFactory(
            parent=reviews if story["title"].startswith("Review") else news,
            title=story["title"],
            slug=f"judged-{key.replace('_', '-')}",
            standfirst=story["standfirst"],
            series=hubs[story["series"]] if story.get("series") else None,
            body=story["body"],
            tags=[tags[name] for name in story.get("franchises", [])],
            authors=[authors[name] for name in story.get("authors", [])] or [staff],
            published_at=hours_ago(24 * story["days"]),
        )
        keys[page.title] = key
    return keys


def dcg(grades):
    return sum((2**grade - 1) / math.log2(position + 2) for position, grade in enumerate(grades))


def ndcg_at_10(ranked_keys, judgments):
    ideal = dcg(sorted(judgments.values(), reverse=True)[:10])
    return dcg([judgments.get(key, 0) for key in ranked_keys[:10]]) / ideal


def evaluate(search, keys):
    """Score `search(query) -> headlines, best first` on every query:
    mean nDCG@10, must-finds found in the top ten, and the misses."""
    scores, found, must, misses = {}, 0, 0, []
    for query, judgments in QUERIES.items():
        ranked = [keys.get(title, title) for title in search(query)]
        scores[query] = ndcg_at_10(ranked, judgments)
        for key, grade in judgments.items():
            if grade == 2:
                must += 1
                if key in ranked[:10]:
                    found += 1
                else:
                    misses.append(f"{query!r}: {key}")
    return {
        "ndcg_at_10": round(sum(scores.values()) / len(scores), 3),
        "must_find": found,
        "must_find_total": must,
        "per_query": {query: round(score, 3) for query, score in scores.items()},
        "misses": misses,
    }
