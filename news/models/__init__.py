from .article import ArticleAuthor, ArticlePage, prefetch_cards
from .authors import Author
from .sections import SectionPage
from .series import SeriesHubPage, SeriesIndexPage, SeriesSeason
from .tags import ArticleFranchiseTag, FranchiseTag, SeriesFranchiseTag

__all__ = [
    "ArticleAuthor",
    "ArticleFranchiseTag",
    "ArticlePage",
    "Author",
    "FranchiseTag",
    "SectionPage",
    "SeriesFranchiseTag",
    "SeriesHubPage",
    "SeriesIndexPage",
    "SeriesSeason",
    "prefetch_cards",
]
