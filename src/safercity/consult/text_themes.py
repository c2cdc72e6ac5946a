"""Suggested themes in free-text answers, for officers to accept, rename or ignore.

TF-IDF (unigrams and bigrams, English stop words) and non-negative matrix factorisation
(scikit-learn's NMF, Lee and Seung 1999; initialised by NNDSVD, so the result is the same on
every run): each theme is named by its strongest words and lists the answers that load most on
it. A suggestion is only a suggestion: officers tag answers with the themes they choose, and
counts per theme come from their tags.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass
class Theme:
    """A suggested theme: its top words and the answers (positions) that belong to it most."""

    words: list[str]
    answers: list[int]

    @property
    def label(self) -> str:
        return ", ".join(self.words[:3])


class SuggestThemes:
    """Suggest themes in free-text answers (TF-IDF + NMF).

    Parameters
    ----------
    texts : sequence of str
        The answers (masked text is best: see :mod:`~.moderation`).
    n_themes : int, default 5
        Themes to suggest (fewer when there are few answers or words).
    n_words : int, default 6
        Words shown per theme.
    min_df : int, default 2
        A word must appear in this many answers.

    Attributes
    ----------
    themes : list of Theme
        Largest first (by number of answers assigned).
    assignment : ndarray
        For each answer, the index of its strongest theme, or -1 (no words in the vocabulary).

    References
    ----------
    Lee, D. D. and Seung, H. S. (1999). Learning the parts of objects by non-negative matrix
    factorization. *Nature* 401, 788-791.
    """

    def __init__(
        self, texts: Sequence[str], *, n_themes: int = 5, n_words: int = 6, min_df: int = 2
    ) -> None:
        from sklearn.decomposition import NMF
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.themes: list[Theme] = []
        self.assignment = np.full(len(texts), -1)
        docs = [t or "" for t in texts]
        if sum(1 for d in docs if d.strip()) < 2:
            return
        vec = TfidfVectorizer(
            stop_words="english",
            ngram_range=(1, 2),
            min_df=min(min_df, max(1, len(docs) // 2)),
            token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z'-]+\b",
        )
        try:
            X = vec.fit_transform(docs)
        except ValueError:  # no words left after stop words
            return
        k = max(1, min(n_themes, X.shape[0] - 1, X.shape[1]))
        from sklearn.exceptions import ConvergenceWarning

        model = NMF(n_components=k, init="nndsvd", max_iter=1000, random_state=0)
        with warnings.catch_warnings():
            # a suggestion need not be fully converged; the officer decides
            warnings.simplefilter("ignore", ConvergenceWarning)
            W = model.fit_transform(X)
        H = model.components_
        words = vec.get_feature_names_out()
        strongest = np.where(W.max(axis=1) > 0, W.argmax(axis=1), -1)
        self.assignment = strongest
        themes = []
        for j in range(k):
            top = [str(words[i]) for i in np.argsort(H[j])[::-1][:n_words] if H[j, i] > 0]
            members = [int(i) for i in np.flatnonzero(strongest == j)]
            members.sort(key=lambda i: -W[i, j])
            if top and members:
                themes.append(Theme(top, members))
        themes.sort(key=lambda t: -len(t.answers))
        self.themes = themes
