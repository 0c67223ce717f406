"""Demo content for `manage.py seed_demo`.

Every series, franchise, network and person here is invented, so no quote is
put in a real person's mouth. The flagship story is modelled on the kind of
interview-driven season-two piece the newsroom publishes every week.
"""

SECTIONS = [
    ("News", "news", "What is happening across TV, film and streaming today."),
    ("Interviews", "interviews", "Conversations with the people in front of and behind the camera."),
    ("Reviews", "reviews", "What is worth your evening, and what is not."),
    ("Features", "features", "Longer reads on the shows and films that matter."),
    ("Opinion", "opinion", "Arguments, hot takes and considered ones."),
]

FRANCHISES = [
    ("Ironbound Universe", "ironbound-universe", "The shared screen universe built on Ironbound Comics characters."),
    ("Ironbound Comics", "ironbound-comics", "The comics publisher behind the Ironbound heroes."),
    ("Streamline", "streamline", "The streaming platform home of the Ironbound street-level shows."),
    ("Starfall Saga", "starfall-saga", "The space-opera film series and its spin-offs."),
    ("Harbor Pictures", "harbor-pictures", "The studio behind Starfall and a slate of prestige dramas."),
    ("Lanternfly", "lanternfly", "The prestige cable network turned streamer."),
    ("Midnight Cartoons", "midnight-cartoons", "Adult animation from the Midnight block."),
    ("Awards Season", "awards-season", "Nominations, campaigns and the big nights."),
]

AUTHORS = [
    (
        "Niko Parrish",
        "niko-parrish",
        "TV editor",
        "Niko covers the shared universes and the streaming shows spun out of them.",
    ),
    (
        "Ada Okonkwo",
        "ada-okonkwo",
        "Film critic",
        "Ada reviews films for Talkies and hosts the weekly box-office round-up.",
    ),
    ("Sam Reyes", "sam-reyes", "Staff writer", "Sam writes news and features on animation, comics and fandom."),
    ("Lena Hart", "lena-hart", "Features editor", "Lena edits long reads and interviews."),
]

SERIES = [
    {
        "title": "Night Ledger",
        "slug": "night-ledger",
        "network": "Streamline",
        "status": "in_production",
        "franchises": ["Ironbound Universe", "Ironbound Comics", "Streamline"],
        "description": (
            "<p>A hard-boiled private investigator with more strength than patience takes cases nobody "
            "else will in a rain-soaked corner of the city. Part of the Ironbound Universe's street-level "
            "shows on Streamline.</p>"
        ),
        "seasons": [
            (1, "2025-11-20", 13, "Dana Vex confronts the man who controlled her mind, and wins at a cost."),
            (2, None, 13, "In production. Dana's cases turn personal as her past catches up with her."),
        ],
    },
    {
        "title": "The Wardens",
        "slug": "the-wardens",
        "network": "Streamline",
        "status": "ended",
        "franchises": ["Ironbound Universe", "Streamline"],
        "description": "<p>The team-up miniseries that brought the street-level heroes together.</p>",
        "seasons": [(1, "2026-08-18", 8, "Four reluctant heroes against an ancient order.")],
    },
    {
        "title": "Starfall: Drift",
        "slug": "starfall-drift",
        "network": "Harbor+",
        "status": "airing",
        "franchises": ["Starfall Saga", "Harbor Pictures"],
        "description": "<p>A smuggler crew at the edge of the Starfall galaxy, years after the films.</p>",
        "seasons": [
            (1, "2025-05-02", 10, "The crew of the Kestrel takes one job too many."),
            (2, "2026-10-09", 10, "On the run from the Concord."),
        ],
    },
    {
        "title": "Saltmarsh",
        "slug": "saltmarsh",
        "network": "Lanternfly",
        "status": "airing",
        "franchises": ["Lanternfly", "Awards Season"],
        "description": "<p>A family drama set in a fishing town that is slowly being bought up.</p>",
        "seasons": [(1, "2026-01-15", 8, "A funeral brings the Marren siblings home.")],
    },
    {
        "title": "Gloomtown",
        "slug": "gloomtown",
        "network": "Midnight",
        "status": "cancelled",
        "franchises": ["Midnight Cartoons"],
        "description": "<p>An animated horror comedy about a town where every day is Halloween.</p>",
        "seasons": [(1, "2024-10-01", 10, ""), (2, "2025-10-01", 10, "")],
    },
]

# The flagship story: an interview-led season-two piece.
FLAGSHIP = {
    "title": "Mara Quill says 'Night Ledger' season 2 is 'just as personal'",
    "slug": "mara-quill-night-ledger-season-2-just-as-personal",
    "section": "interviews",
    "series": "night-ledger",
    "season": 2,
    "author": "niko-parrish",
    "franchises": ["Ironbound Universe", "Ironbound Comics", "Streamline"],
    "standfirst": (
        "Production is under way on the second season of Streamline's detective drama, and its star "
        "says the new episodes trade the hero's head for her heart."
    ),
    "sources": [("Interview with Screen Weekly", "https://screenweekly.example/night-ledger-quill")],
    "body": [
        (
            "paragraph",
            "<p>Streamline's street-level corner of the Ironbound Universe has become the darkest, and "
            "arguably the sharpest, part of the franchise, and <i>Night Ledger</i> is the reason. Since the "
            "first season arrived last November, fans have waited for news of Dana Vex's return. With "
            "cameras now rolling on season two, details are finally starting to emerge.</p>",
        ),
        (
            "paragraph",
            "<p>Speaking to Screen Weekly this week, series lead Mara Quill said the new season sets out to "
            "explain why Dana is the kind of person, and the kind of hero, that she is.</p>",
        ),
        (
            "pull_quote",
            {
                "quote": "She keeps her world small on purpose. Nobody hands you a manual for what to do when "
                "the whole city suddenly knows your name.",
                "speaker": "Mara Quill",
                "speaker_role": "series lead",
                "source": "in an interview with Screen Weekly",
                "source_url": "https://screenweekly.example/night-ledger-quill",
            },
        ),
        (
            "paragraph",
            "<p>That unwanted fame follows Dana's defeat of the Whisperer, the mind-bending villain played by "
            "Corin Ashby, and her part in the team-up series <i>The Wardens</i>. Quill was careful to add that "
            "Dana's guardedness did not begin with one villain.</p>",
        ),
        (
            "callout",
            {
                "kind": "spoiler",
                "title": "Spoilers for the season one finale",
                "body": "<p>The Whisperer does not survive the final episode of season one, and Dana is the one "
                "who ends him.</p>",
            },
        ),
        (
            "pull_quote",
            {
                "quote": "Even on the page, so much has happened to her. You read it and think, she has been "
                "through so much, and she still gets up and fights. That is why people love her.",
                "speaker": "Mara Quill",
                "speaker_role": "series lead",
            },
        ),
        ("heading", {"text": "A different beast", "level": "h2"}),
        (
            "paragraph",
            "<p>Anyone hoping for a rerun of season one may be disappointed. Quill said the new episodes keep "
            "what worked but take the story somewhere new.</p>",
        ),
        (
            "pull_quote",
            {
                "quote": "The first season lived in her head. The second one lives in her heart.",
                "speaker": "Mara Quill",
                "speaker_role": "series lead",
            },
        ),
        (
            "pull_quote",
            {
                "quote": "The writers went even deeper. It feels just as big and just as personal.",
                "speaker": "Mara Quill",
                "speaker_role": "series lead",
            },
        ),
        (
            "callout",
            {
                "kind": "opinion",
                "title": "Our take",
                "body": "<p>This is the right call. A season that retreads old ground would be neither bold "
                "nor exciting; what Quill is describing sounds unpredictable, and it should remind viewers "
                "why they fell for this prickly detective in the first place.</p>",
            },
        ),
        (
            "season_info",
            {
                "title": "Night Ledger",
                "season": 2,
                "network": "Streamline",
                "rows": [{"label": "Status", "value": "In production"}, {"label": "Episodes", "value": "13"}],
            },
        ),
        (
            "paragraph",
            "<p><i>Night Ledger</i> season 2 is in production now. Follow the series on Talkies for every "
            "update on the show and the rest of Streamline's Ironbound slate.</p>",
        ),
    ],
}

# Building blocks for the other demo stories: (section, headline pattern, standfirst pattern).
STORY_PATTERNS = [
    ("news", "{series} renewed for another season at {network}", "The order follows strong viewing figures."),
    ("news", "First look: new images from {series}", "The stills tease a darker turn for the show."),
    ("news", "{series} adds two newcomers to its cast", "Casting news for the next run of episodes."),
    ("reviews", "Review: {series} season {season} finds its footing", "A slow start gives way to its best run."),
    (
        "reviews",
        "Review: {series} bows out of its season with a quiet triumph",
        "Restraint wins where spectacle would not.",
    ),
    ("interviews", "The showrunner of {series} on what comes next", "An hour with the person behind the show."),
    ("features", "How {series} built its world on a budget", "Inside the workshop where the sets are made."),
    ("features", "Ranking every episode of {series}", "From weakest to best, with reasons."),
    ("opinion", "{series} deserves better than its time slot", "The case for moving the show to weekends."),
    ("news", "{franchise} sets dates for its next three releases", "A busy two years for fans of the franchise."),
]

# One-line verdicts for the demo reviews, by rating out of five.
VERDICTS = {
    5: "A season that earns every minute.",
    4: "Confident, funny and better than it needed to be.",
    3: "Uneven, but its best episodes are worth the wait.",
    2: "Handsome to look at and hard to care about.",
    1: "A long way from what made the first season work.",
}
# Ratings handed out to the demo reviews, in turn.
DEMO_RATINGS = ["4.5", "3.5", "5", "2.5", "4", "3", "1.5", "4"]
# Films reviewed by the demo reviews desk: (title, year, platform, rating, franchise).
FILM_REVIEWS = [
    ("Starfall: The Quiet Orbit", 2026, "Cinemas", "4", "Starfall Saga"),
    ("Harbour of Small Lights", 2025, "Lanternfly", "3.5", "Harbor Pictures"),
]

# Pitches on the editorial calendar around upcoming premieres: (hub slug, working title, section).
CALENDAR_PITCHES = [
    ("night-ledger", "What to remember before {series} season {season}", "features"),
    ("the-wardens", "{series} season {season}: the cast on what comes next", "interviews"),
    ("starfall-drift", "Everything we know about {series} season {season}", "news"),
    ("saltmarsh", "Inside the {series} writers' room", "features"),
]
# Stories filed under embargo, held until their go-live time.
EMBARGOED_STORIES = [
    ("Starlight Awards nominations announced", "The full list, and the snubs."),
    ("Streamline's spring slate revealed", "Twelve new series and the return of two favourites."),
]

PARAGRAPHS = [
    "The announcement came on a quiet afternoon, but fans had been piecing the clues together for weeks.",
    "Those who worked on the production describe a set that ran on long nights and strong coffee.",
    "Early reactions from critics have been warm, if cautious about how much the story can sustain.",
    "The studio has not said whether the cast will return in full, and agents are staying quiet.",
    "Viewing figures released by the platform put the show among its most-watched originals of the year.",
    "What the series does best is trust its audience to keep up without a recap every episode.",
    "The score, recorded with a small string section, has become a talking point of its own.",
    "Writers have hinted at a time jump, which would explain the new faces in the latest images.",
]

# Live stories: one that ended (as it happened) and one still running.
# Times are minutes from the start of coverage; (headline, text, flags).
DEMO_EMBED_URL = "https://www.youtube.com/watch?v=talkies-demo-trailer"
LIVE_STORIES = [
    {
        "title": "Live: the Starlight Awards as they happened",
        "slug": "starlight-awards-live",
        "section": "news",
        "franchise": "Awards Season",
        "standfirst": "Every winner, every speech and every snub from the Starlight Awards, minute by minute.",
        "starts_hours_ago": 50,
        "ends_after_minutes": 235,
        "updates": [
            (0, "Red carpet opens", "The arrivals line is already three deep as the first nominees step out.", ""),
            (12, "", "Mara Quill arrives in midnight blue and tells us she has 'no speech, on purpose'.", "image"),
            (25, "Ceremony under way", "The host opens with a sketch about streaming algorithms.", "key"),
            (38, "Best animated series: Midnight Cartoons' 'Paper Moons'", "The first award of the night.", "key"),
            (52, "", "The host's monologue, in full, from the official channel.", "embed"),
            (64, "", "A quiet moment as the room stands for the in-memoriam reel.", ""),
            (80, "Best supporting actor: Theo Marsh, 'Night Ledger'", "Marsh thanks his dog, twice.", "key"),
            (95, "", "Backstage, Marsh says season three scripts are 'darker than the last'.", "quote"),
            (120, "", "Second half under way after a long break.", ""),
            (141, "Best limited series: 'Harbor Lights'", "Harbor Pictures takes its first award of the night.", ""),
            (170, "", "The surprise of the night: no award yet for the favourite, 'Starfall: Drift'.", ""),
            (198, "Best actress: Mara Quill", "A standing ovation. Quill did, in the end, have a speech.", "key"),
            (220, "Best drama: 'Night Ledger'", "Streamline's first win in the top category.", "key"),
            (235, "That's a wrap", "Thanks for following along. Our full list of winners follows.", ""),
        ],
    },
    {
        "title": "Live: the Starfall Saga panel at Comic Horizon",
        "slug": "starfall-comic-horizon-live",
        "section": "news",
        "franchise": "Starfall Saga",
        "standfirst": "Harbor Pictures brings the cast of Starfall to Hall C. Keep it locked for updates.",
        "starts_hours_ago": 0.75,
        "ends_after_minutes": None,
        "updates": [
            (0, "Hall C is full", "Fans queued overnight; the doors opened ten minutes early.", "pin"),
            (9, "", "The moderator promises 'one thing you have not seen'.", ""),
            (21, "The cast takes the stage", "Six of the principal cast, and the director.", "key"),
            (33, "", "First look: a 40-second clip of the new ship. The hall goes quiet.", ""),
        ],
    },
]
