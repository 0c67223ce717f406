from .article import ArticleAuthor, ArticleCorrection, ArticlePage, ArticleSource
from .authors import Author
from .sections import SectionPage
from .series import SeriesHubPage, SeriesIndexPage, SeriesSeason
from .tags import ArticleFranchiseTag, FranchiseTag, SeriesFranchiseTag

__all__ = [
    "ArticleAuthor",
    "ArticleCorrection",
    "ArticleFranchiseTag",
    "ArticlePage",
    "ArticleSource",
    "Author",
    "FranchiseTag",
    "SectionPage",
    "SeriesFranchiseTag",
    "SeriesHubPage",
    "SeriesIndexPage",
    "SeriesSeason",
]
