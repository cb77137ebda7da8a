from .help_search import help_search_words
