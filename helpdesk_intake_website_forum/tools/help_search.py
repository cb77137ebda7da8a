"""Pure helpers of the team's help page."""

# Words of a search that count, and their longest length: a longer search
# narrows nothing more and only costs more.
MAX_SEARCH_WORDS = 5
MAX_WORD_LENGTH = 50


def help_search_words(term):
    """The words of ``term`` the help page searches for, each one matched
    on its own."""
    words = []
    for word in (term or "").split():
        word = word[:MAX_WORD_LENGTH]
        if word.lower() not in (w.lower() for w in words):
            words.append(word)
    return words[:MAX_SEARCH_WORDS]
