from .article import ArticleAuthor, ArticlePage, prefetch_cards
from .authors import Author
from .comments import ReaderComment
from .notifications import EditorialNotification
from .sections import SectionPage
from .series import SeriesHubPage, SeriesIndexPage, SeriesSeason
from .tags import ArticleFranchiseTag, FranchiseTag, SeriesFranchiseTag

__all__ = [
    "ArticleAuthor",
    "ArticleFranchiseTag",
    "ArticlePage",
    "Author",
    "EditorialNotification",
    "ReaderComment",
    "FranchiseTag",
    "SectionPage",
    "SeriesFranchiseTag",
    "SeriesHubPage",
    "SeriesIndexPage",
    "SeriesSeason",
    "prefetch_cards",
]
